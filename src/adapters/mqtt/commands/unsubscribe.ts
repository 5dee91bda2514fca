/**
 * UNSUBSCRIBE → UNSUBACK (§3.10-3.11): filters are compared character by character
 * with the session's [MQTT-3.10.4-1]; UNSUBACK is sent even when nothing matched
 * [MQTT-3.10.4-5] (v5: 0x11 No subscription existed for that filter).
 */
import type { IUnsubackPacket, IUnsubscribePacket } from 'mqtt-packet';
import type { Connection } from '../connection.js';
import { ReasonCode } from '../reason-codes.js';

export function handleUnsubscribe(conn: Connection, packet: IUnsubscribePacket): void {
  const gw = conn.gateway;
  const session = conn.session!;
  const existed = packet.unsubscriptions.map((f) => session.subscriptions.has(f));
  const removed = gw.unsubscribe(session, packet.unsubscriptions.filter((_, i) => existed[i]));
  conn.inbound.track(removed, (result) => {
    if (conn.state === 'closed') return;
    if (!result.ok) gw.logger.warn({ clientId: conn.clientId, err: result.error }, 'mqtt UNSUBSCRIBE could not be stored');
    const unsuback: IUnsubackPacket = { cmd: 'unsuback', messageId: packet.messageId, granted: [] }; // [MQTT-3.10.4-4]
    if (conn.version === 5) {
      unsuback.granted = existed.map((e) => (!result.ok ? ReasonCode.UnspecifiedError : e ? ReasonCode.Success : ReasonCode.NoSubscriptionExisted));
    }
    conn.write(unsuback);
  });
}
