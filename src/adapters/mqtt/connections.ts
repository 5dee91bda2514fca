/**
 * The MQTT adapter's connections and retained messages for the admin API
 * (src/adapters/connections.ts, src/adapters/retained-messages.ts): connected clients
 * with their session's subscriptions and counters, disconnected with reason 0x98
 * (Administrative action, v5 §3.14.2.1; v3.1.1 clients are just closed), and the
 * retained messages, cleared as an empty retained PUBLISH would [MQTT-3.3.1-10].
 */
import { Socket } from 'node:net';
import type { Message } from '../../kernel/index.js';
import { ConnectionIds, type ConnectionDirectory, type ConnectionInfo } from '../connections.js';
import type { RetainedMessageAdmin, RetainedMessageInfo } from '../retained-messages.js';
import type { Connection } from './connection.js';
import type { MqttGateway } from './gateway.js';
import { ReasonCode } from './reason-codes.js';
import { sessionGroupName } from './shared-subs.js';
import { topicFilterProblem } from './topic-filter.js';

const VERSION_NAMES: Record<number, string> = { 3: '3.1', 4: '3.1.1', 5: '5.0' };

export function mqttConnectionDirectory(gateway: MqttGateway): ConnectionDirectory {
  const ids = new ConnectionIds<Connection>('mqtt');
  const info = (conn: Connection): ConnectionInfo => {
    const session = conn.session;
    const subscriptions = [...(session?.subscriptions.values() ?? [])].map((s) => ({
      destination: s.filter,
      qos: s.qos,
      ...(s.shared ? {} : session?.persistent ? { group: sessionGroupName(session.clientId) } : {}),
    }));
    return {
      id: ids.of(conn),
      protocol: 'mqtt',
      protocolVersion: VERSION_NAMES[conn.version] ?? String(conn.version),
      transport: conn.socket instanceof Socket ? 'tcp' : 'ws',
      clientId: conn.clientId,
      remoteAddress: conn.remoteAddress,
      user: conn.principal?.username ?? null,
      connectedAt: conn.openedAt,
      keepAliveSeconds: conn.connectPacket?.keepalive ?? 0,
      persistentSession: session?.persistent ?? false,
      subscriptions,
      messagesIn: conn.messagesIn,
      messagesOut: conn.messagesOut,
      inFlight: session?.outbound.inflightCount ?? 0,
    };
  };
  return {
    listConnections: () => [...gateway.connections].filter((c) => !c.isClosed()).map(info),
    disconnect(id) {
      const conn = [...gateway.connections].find((c) => ids.of(c) === id && !c.isClosed());
      if (!conn) return false;
      conn.disconnect(ReasonCode.AdministrativeAction, 'disconnected by an administrator');
      return true;
    },
  };
}

export function mqttRetainedAdmin(gateway: MqttGateway): RetainedMessageAdmin {
  const now = (): number => Date.now();
  const live = (filter: string): Array<[string, Message]> => gateway.retained.topicsMatching(filter)
    .map((topic): [string, Message | undefined] => [topic, gateway.retained.get(topic)])
    .filter((e): e is [string, Message] => e[1] !== undefined && (e[1].expireAt === undefined || e[1].expireAt > now()))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    filterProblem: topicFilterProblem,
    list: (filter) => live(filter).map(([topic, m]): RetainedMessageInfo => ({
      topic,
      payload: m.body,
      properties: m.properties ?? {},
      ...(m.contentType === undefined ? {} : { contentType: m.contentType }),
      ...(m.expireAt === undefined ? {} : { expireAt: m.expireAt }),
    })),
    async clear(filter) {
      const topics = live(filter).map(([topic]) => topic);
      for (const topic of topics) await gateway.retained.set(topic, { topic, body: Buffer.alloc(0) });
      return topics.length;
    },
  };
}
