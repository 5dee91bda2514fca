/**
 * PUBACK, PUBREC and PUBCOMP from the client: acknowledgements of what we sent
 * (§4.3). They settle the delivery in the session's outbound window, which lets the
 * kernel reader behind it move its offset.
 */
import type { IPubackPacket, IPubcompPacket, IPubrecPacket } from 'mqtt-packet';
import type { Connection } from '../connection.js';

export function handlePuback(conn: Connection, packet: IPubackPacket): void {
  conn.session!.outbound.onPuback(packet.messageId!);
}

export function handlePubrec(conn: Connection, packet: IPubrecPacket): void {
  const outbound = conn.session!.outbound;
  if (!outbound.onPubrec(packet.messageId!, packet.reasonCode)) {
    // v5 §4.3.3: an unknown identifier still gets PUBREL, with 0x92
    conn.write(conn.version === 5 ? { cmd: 'pubrel', messageId: packet.messageId, reasonCode: 0x92 } : { cmd: 'pubrel', messageId: packet.messageId });
  }
}

export function handlePubcomp(conn: Connection, packet: IPubcompPacket): void {
  conn.session!.outbound.onPubcomp(packet.messageId!);
}
