/** What the broker server's processors share. */
import type { Broker } from '../../kernel/broker/broker.js';
import type { Connection } from '../remoting/transport.js';
import type { ClientConnections } from './client-connections.js';

export interface BrokerServerContext {
  broker: Broker;
  brokerName: string;
  /** this broker's "host:port", as registered with the nameservers */
  brokerAddr: string;
  connections: ClientConnections;
  /** re-registers with the nameservers if topic configs changed */
  topicsMayHaveChanged(): void;
  /** a producer client announced its group (transaction check-backs go to it) */
  producerSeen(connection: Connection, clientId: string, group: string): void;
}
