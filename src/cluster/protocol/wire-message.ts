/**
 * A message as RocketMQ clients put it on the wire: a body, a sysFlag and the
 * properties string `name\u0001value\u0002...` (MessageDecoder.messageProperties2String),
 * mapped to and from the kernel's Message with the same property names the store uses
 * (record-codec.ts), so TAGS, KEYS, UNIQ_KEY, DELAY ... mean the same everywhere.
 *
 * sysFlag bits (MessageSysFlag): 0x1 compressed body, 0xc transaction type
 * (0x4 prepared), bits 8-10 compression type (0 or 3 zlib, 1 lz4, 2 zstd).
 * Compressed bodies are inflated here and stored plain, so every protocol reads them.
 */
import { inflateSync } from 'node:zlib';
import type { Message } from '../../kernel/message/message.js';
import { isReservedProperty } from '../../kernel/message/properties.js';
import { applyProperties, encodeProperties, parseProperties } from '../../kernel/message/record-codec.js';
import { ResponseError } from '../remoting/request-dispatcher.js';
import { ResponseCode } from '../remoting/request-codes.js';

export const SysFlag = {
  Compressed: 0x1,
  MultiTags: 0x2,
  TransactionPrepared: 0x4,
  TransactionCommit: 0x8,
  TransactionRollback: 0xc,
  CompressionTypeMask: 0x7 << 8,
} as const;

const COMPRESSION_ZLIB = 3;

export function transactionTypeOf(sysFlag: number): number {
  return sysFlag & 0xc;
}

/** the body as stored: inflated when the producer compressed it (zlib only) */
export function plainBody(body: Buffer, sysFlag: number): Buffer {
  if ((sysFlag & SysFlag.Compressed) === 0) return body;
  const type = (sysFlag & SysFlag.CompressionTypeMask) >> 8;
  if (type !== 0 && type !== COMPRESSION_ZLIB) {
    throw new ResponseError(ResponseCode.MESSAGE_ILLEGAL, `compression type ${type === 1 ? 'LZ4' : type === 2 ? 'ZSTD' : type} is not supported; send zlib or uncompressed bodies`);
  }
  try {
    return inflateSync(body);
  } catch (err) {
    throw new ResponseError(ResponseCode.MESSAGE_ILLEGAL, `the compressed body does not inflate: ${(err as Error).message}`);
  }
}

export interface WireMessage {
  topic: string;
  body: Buffer;
  properties: string;
  bornTimestamp?: number;
}

/** a producer's message as the kernel's Message */
export function fromWire(w: WireMessage): Message {
  const message: Message = { topic: w.topic, body: w.body };
  if (w.bornTimestamp !== undefined) message.bornTimestamp = w.bornTimestamp;
  applyProperties(message, parseProperties(w.properties), isReservedProperty);
  return message;
}

/** the kernel's Message as a properties string for the wire */
export function toWireProperties(message: Message): string {
  return encodeProperties(message);
}
