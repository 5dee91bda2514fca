/**
 * The cluster (DESIGN.md §4): RocketMQ 4 remoting, nameservers, broker servers and the
 * route cache. `src/runtime/` wires these; nothing in the kernel imports them.
 */
export { startNameServer, type NameServer, type NameServerOptions } from './nameserver/nameserver.js';
export { startBrokerServer, type BrokerServer, type BrokerServerOptions } from './broker-server/broker-server.js';
export { RouteCache, type RouteCacheOptions } from './route-cache.js';
export { TcpTransport, type TcpTransportOptions } from './remoting/tcp-transport.js';
export { InProcessNetwork, InProcessTransport } from './remoting/in-process-transport.js';
export type { Transport, TransportServer, Connection } from './remoting/transport.js';
export { RemotingClient, type RemotingClientOptions } from './remoting/remoting-client.js';
export { RemotingServer, type RemotingServerOptions } from './remoting/remoting-server.js';
export { RequestCode, ResponseCode } from './remoting/request-codes.js';
export { RemoteBrokerApi, type RemoteBrokerApiOptions } from './remote-broker-api.js';
export { KernelRequestCode } from './remoting/request-codes.js';
export { startReplication, BROKER_ROLES, type BrokerRole, type Replication, type ReplicationOptions } from './replication/replication.js';
