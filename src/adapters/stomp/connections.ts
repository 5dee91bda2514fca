/**
 * The STOMP adapter's connections for the admin API (src/adapters/connections.ts):
 * connected sessions with their subscriptions (destination, ack mode, prefetch, group)
 * and counters; an administrator's disconnect is an ERROR frame, then the close, as
 * for any other server-side end of a session (STOMP 1.2 §ERROR).
 */
import { ConnectionIds, type ConnectionDirectory, type ConnectionInfo } from '../connections.js';
import type { Connection } from './connection.js';
import { StompError, StompErrorCode } from './errors.js';

export function stompConnectionDirectory(connections: ReadonlySet<Connection>): ConnectionDirectory {
  const ids = new ConnectionIds<Connection>('stomp');
  const info = (conn: Connection): ConnectionInfo => {
    const subscriptions = (conn.session?.subscriptionList() ?? []).map((s) => ({
      destination: s.spec.destination.raw,
      id: s.spec.id,
      ackMode: s.spec.ackMode,
      prefetch: s.spec.prefetch,
      group: s.spec.group,
      inFlight: s.inFlight,
    }));
    return {
      id: ids.of(conn),
      protocol: 'stomp',
      protocolVersion: conn.version,
      transport: conn.transport.kind,
      clientId: conn.session?.clientId ?? '',
      remoteAddress: conn.transport.remoteAddress,
      user: conn.principal?.username ?? null,
      connectedAt: conn.openedAt,
      keepAliveSeconds: conn.heartBeat[1] / 1000,
      subscriptions,
      messagesIn: conn.messagesIn,
      messagesOut: conn.messagesOut,
      inFlight: subscriptions.reduce((n, s) => n + s.inFlight, 0),
    };
  };
  const connected = (): Connection[] => [...connections].filter((c) => c.isConnected && c.isOpen);
  return {
    listConnections: () => connected().map(info),
    disconnect(id) {
      const conn = connected().find((c) => ids.of(c) === id);
      if (!conn) return false;
      conn.fail(new StompError(StompErrorCode.Unavailable, 'disconnected by an administrator'));
      return true;
    },
  };
}
