/**
 * PUBREL from the client (§3.6): the QoS 2 message was stored at PUBLISH; releasing
 * forgets its packet identifier and answers PUBCOMP. An unknown identifier still gets
 * PUBCOMP (v5: with 0x92 Packet Identifier not found).
 */
import type { IPubrelPacket } from 'mqtt-packet';
import type { Connection } from '../connection.js';
import { ReasonCode } from '../reason-codes.js';

export function handlePubrel(conn: Connection, packet: IPubrelPacket): void {
  const session = conn.session!;
  const id = packet.messageId!;
  const stored = session.awaitingRelease.get(id);
  if (!stored) {
    conn.write(conn.version === 5 ? { cmd: 'pubcomp', messageId: id, reasonCode: ReasonCode.PacketIdentifierNotFound } : { cmd: 'pubcomp', messageId: id });
    return;
  }
  // a PUBREL that overtakes its own PUBREC is answered after it, in order
  // and the id is forgotten in the journal of a persistent session before PUBCOMP
  const released = stored.then(
    () => conn.gateway.sessions.released(session, id),
    () => conn.gateway.sessions.released(session, id),
  );
  conn.inbound.track(released, () => {
    if (conn.state !== 'closed') conn.write({ cmd: 'pubcomp', messageId: id });
  });
}
