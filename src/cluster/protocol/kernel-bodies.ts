/**
 * Bodies of our own request codes (remoting/request-codes.ts KernelRequestCode).
 *
 * Most requests and answers are one JSON document (`jsonBody` / `readJson`). Answers that
 * carry messages use an envelope, big-endian:
 *
 *   off  size  field
 *     0     4  META LENGTH n
 *     4     n  META: UTF-8 JSON (per message extras: receipt handles, check counts ...)
 *   4+n     .  RECORDS: stored records exactly as the commit log holds them
 *               (record-codec.ts, RocketMQ 4's stored layout), one after another
 *
 * so the messages are decoded by the same code as a pull (`decodeStoredRecords`). A
 * message that is not a stored record (a transaction check's view with its real topic)
 * travels as `StoredMessageJson`: the fields, the body in base64.
 */
import type { StoredMessage } from '../../kernel/message/message.js';
import { isReservedProperty } from '../../kernel/message/properties.js';
import { decodeRecord } from '../../kernel/message/record-codec.js';
import { jsonBody, parseFastJson } from './fastjson.js';
import { ResponseError } from '../remoting/request-dispatcher.js';
import { ResponseCode } from '../remoting/request-codes.js';

export const ENVELOPE_META_LENGTH_BYTES = 4;

export function encodeEnvelope(meta: unknown, records: Buffer): Buffer {
  const json = jsonBody(meta);
  const head = Buffer.alloc(ENVELOPE_META_LENGTH_BYTES);
  head.writeInt32BE(json.length, 0);
  return Buffer.concat([head, json, records]);
}

export function decodeEnvelope<M>(body: Buffer | undefined): { meta: M; records: Buffer } {
  if (!body || body.length < ENVELOPE_META_LENGTH_BYTES) throw new Error('envelope: body too short');
  const n = body.readInt32BE(0);
  if (n < 0 || ENVELOPE_META_LENGTH_BYTES + n > body.length) throw new Error(`envelope: meta length ${n} beyond the body (${body.length} bytes)`);
  const meta = parseFastJson(body.toString('utf8', ENVELOPE_META_LENGTH_BYTES, ENVELOPE_META_LENGTH_BYTES + n)) as M;
  return { meta, records: body.subarray(ENVELOPE_META_LENGTH_BYTES + n) };
}

/** concatenated stored records → messages, as the store decodes them */
export function decodeStoredRecords(buf: Buffer | undefined): StoredMessage[] {
  const out: StoredMessage[] = [];
  let pos = 0;
  while (buf && pos + 4 <= buf.length) {
    const size = buf.readInt32BE(pos);
    if (size <= 0 || pos + size > buf.length) throw new Error(`stored records: record at ${pos} claims ${size} bytes, ${buf.length - pos} left`);
    out.push(decodeRecord(buf, pos, isReservedProperty));
    pos += size;
  }
  return out;
}

export type StoredMessageJson = Omit<StoredMessage, 'body'> & { body: string };

export function storedMessageToJson(m: StoredMessage): StoredMessageJson {
  return { ...m, body: m.body.toString('base64') };
}

export function storedMessageFromJson(j: StoredMessageJson): StoredMessage {
  return { ...j, body: Buffer.from(j.body, 'base64') };
}

/** a request's JSON body as an object; a bad body answers INVALID_PARAMETER */
export function readJson<T>(body: Buffer | undefined, what: string): T {
  try {
    const value = parseFastJson((body ?? Buffer.alloc(0)).toString('utf8'));
    if (typeof value !== 'object' || value === null) throw new Error('not a JSON object or array');
    return value as T;
  } catch (err) {
    throw new ResponseError(ResponseCode.INVALID_PARAMETER, `${what}: bad JSON body (${(err as Error).message})`);
  }
}

export { jsonBody };
