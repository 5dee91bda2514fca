/**
 * The HTTP adapter's long-lived client connections for the admin API
 * (src/adapters/connections.ts): its server-sent-event streams, with the topic and group
 * each reads and the messages it sent; an administrator's disconnect ends the response
 * (the client's EventSource reconnects unless told otherwise).
 */
import { ConnectionIds, type ConnectionDirectory, type ConnectionInfo } from '../../connections.js';
import type { SseHub } from './hub.js';
import type { SseStream } from './stream.js';

export function sseConnectionDirectory(hub: () => SseHub | undefined): ConnectionDirectory {
  const ids = new ConnectionIds<SseStream>('sse');
  return {
    listConnections: () => (hub()?.list() ?? []).map(({ stream, info }): ConnectionInfo => ({
      id: ids.of(stream),
      protocol: 'http',
      protocolVersion: 'SSE',
      transport: 'sse',
      clientId: info.clientId,
      remoteAddress: info.remoteAddress,
      user: info.user,
      connectedAt: info.openedAt,
      subscriptions: [{ destination: info.topic, group: info.group }],
      messagesIn: 0,
      messagesOut: stream.messagesSent,
      inFlight: 0,
    })),
    disconnect(id) {
      const found = hub()?.list().find(({ stream }) => ids.of(stream) === id);
      if (!found) return false;
      found.stream.close();
      return true;
    },
  };
}
