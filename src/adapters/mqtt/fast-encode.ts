/**
 * Encoders for the packets on the hot path, written into one buffer each: PUBLISH
 * without properties (v5: an empty property list) and the two-byte-id acknowledgements
 * with reason Success. mqtt-packet's writeToStream writes each field as its own chunk
 * and logs through `debug` per field; everything else still goes through it.
 */
import type { QoS } from 'mqtt-packet';

export interface PlainPublish {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  messageId?: number;
}

export function encodePublish(p: PlainPublish, version: 3 | 4 | 5): Buffer {
  const topicBytes = Buffer.byteLength(p.topic);
  const remaining = 2 + topicBytes + (p.qos > 0 ? 2 : 0) + (version === 5 ? 1 : 0) + p.payload.length;
  const buf = Buffer.allocUnsafe(1 + varIntSize(remaining) + remaining);
  let o = 0;
  buf[o++] = 0x30 | (p.dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 0x01 : 0);
  o = writeVarInt(buf, o, remaining);
  buf.writeUInt16BE(topicBytes, o);
  o += 2;
  o += buf.write(p.topic, o, 'utf8');
  if (p.qos > 0) {
    buf.writeUInt16BE(p.messageId!, o);
    o += 2;
  }
  if (version === 5) buf[o++] = 0; // property length 0
  p.payload.copy(buf, o);
  return buf;
}

const ACK_HEADER = { puback: 0x40, pubrec: 0x50, pubrel: 0x62, pubcomp: 0x70 } as const;
export type AckCommand = keyof typeof ACK_HEADER;

/** PUBACK / PUBREC / PUBREL / PUBCOMP with reason Success and no properties (v5 §3.4.2.1: the reason may be left out) */
export function encodeAck(cmd: AckCommand, messageId: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf[0] = ACK_HEADER[cmd];
  buf[1] = 2;
  buf.writeUInt16BE(messageId, 2);
  return buf;
}

function varIntSize(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

function writeVarInt(buf: Buffer, o: number, n: number): number {
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    buf[o++] = byte;
  } while (n > 0);
  return o;
}
