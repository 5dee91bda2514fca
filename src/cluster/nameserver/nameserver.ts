/**
 * A nameserver process (RocketMQ's NamesrvController): a remoting server with the route
 * processors, a scan that drops brokers silent past their expiry (every 5 s by default,
 * as RocketMQ's scanNotActiveBroker), and an immediate drop of the brokers whose
 * connection closes. Nameservers keep no state on disk and know nothing of each other.
 */
import { RemotingServer } from '../remoting/remoting-server.js';
import { TcpTransport } from '../remoting/tcp-transport.js';
import type { Transport } from '../remoting/transport.js';
import { registerRouteProcessors } from './route-processor.js';
import { DEFAULT_BROKER_EXPIRY_MS, RouteTable } from './route-table.js';

export interface NameServerOptions {
  host?: string;
  /** 9876 is RocketMQ's; 0 picks a free port */
  port?: number;
  /** a broker silent this long is dropped, default 120 s */
  brokerExpiryMs?: number;
  /** how often silence is checked, default 5 s */
  scanIntervalMs?: number;
  deleteTopicWithBrokerRegistration?: boolean;
  /** default TCP */
  transport?: Transport;
  /** told when brokers are dropped (expiry or closed connection) */
  onBrokersDropped?: (addrs: string[], why: 'expired' | 'connection-closed') => void;
}

export interface NameServer {
  readonly port: number;
  readonly address: string;
  readonly routes: RouteTable;
  close(): Promise<void>;
}

export async function startNameServer(options: NameServerOptions = {}): Promise<NameServer> {
  const routes = new RouteTable({
    brokerExpiryMs: options.brokerExpiryMs ?? DEFAULT_BROKER_EXPIRY_MS,
    deleteTopicWithBrokerRegistration: options.deleteTopicWithBrokerRegistration,
  });
  const server = new RemotingServer(options.transport ?? new TcpTransport(), { host: options.host, port: options.port ?? 9876 });
  registerRouteProcessors(server, routes);
  server.onConnectionClose((connection) => {
    const dropped = routes.connectionClosed(connection.id);
    if (dropped.length > 0) options.onBrokersDropped?.(dropped, 'connection-closed');
  });
  const { address, port } = await server.start();
  const timer = setInterval(() => {
    const dropped = routes.scanNotActiveBrokers();
    if (dropped.length > 0) options.onBrokersDropped?.(dropped, 'expired');
  }, options.scanIntervalMs ?? 5_000);
  timer.unref();
  return {
    port,
    address,
    routes,
    close: async () => {
      clearInterval(timer);
      await server.close();
    },
  };
}
