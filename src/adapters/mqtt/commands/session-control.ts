/**
 * PINGREQ, DISCONNECT and AUTH from the client.
 */
import type { IAuthPacket, IDisconnectPacket, IPingreqPacket } from 'mqtt-packet';
import type { Connection } from '../connection.js';
import { MqttProtocolError } from '../errors.js';
import { ReasonCode } from '../reason-codes.js';

export function handlePingreq(conn: Connection, _packet: IPingreqPacket): void {
  conn.write({ cmd: 'pingresp' }); // [MQTT-3.12.4-1]
}

/**
 * DISCONNECT: reason 0x00 discards the will [MQTT-3.14.4-3] (v5 [MQTT-3.1.2-10]);
 * v5 reason 0x04 keeps it. A v5 client may change its Session Expiry Interval, but
 * not from 0 to non-zero (v5 §3.14.2.2.2).
 */
export function handleDisconnect(conn: Connection, packet: IDisconnectPacket): void {
  const session = conn.session!;
  if (conn.version === 5) {
    const expiry = packet.properties?.sessionExpiryInterval;
    if (expiry !== undefined) {
      if (session.expiryInterval === 0 && expiry > 0) {
        throw new MqttProtocolError(ReasonCode.ProtocolError, 'Session Expiry Interval cannot become non-zero on DISCONNECT');
      }
      session.expiryInterval = expiry;
    }
    // only 0x00 (Normal disconnection) deletes the will [MQTT-3.1.2-8]; 0x04 and errors publish it
    conn.disconnectedNormally = (packet.reasonCode ?? ReasonCode.Success) === ReasonCode.Success;
  } else {
    conn.disconnectedNormally = true;
  }
  conn.end();
}

/** enhanced authentication is not offered, so AUTH is never expected */
export function handleAuth(_conn: Connection, _packet: IAuthPacket): void {
  throw new MqttProtocolError(ReasonCode.ProtocolError, 'AUTH without an authentication method');
}
