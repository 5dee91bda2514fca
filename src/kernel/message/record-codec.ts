/**
 * The stored record: RocketMQ 4's message layout (MessageDecoder, IPv4 hosts), so
 * stored bytes can be handed to RocketMQ clients unchanged. All integers big-endian.
 *
 *   off  size  field
 *     0     4  TOTALSIZE                 whole record, this field included
 *     4     4  MAGICCODE                 MESSAGE_MAGIC_CODE (or BLANK_MAGIC_CODE: end of segment)
 *     8     4  BODYCRC                   crc32(body) & 0x7fffffff
 *    12     4  QUEUEID
 *    16     4  FLAG
 *    20     8  QUEUEOFFSET               index in the consume queue
 *    28     8  PHYSICALOFFSET            offset in the commit log
 *    36     4  SYSFLAG                   MessageSysFlag bits
 *    40     8  BORNTIMESTAMP
 *    48     8  BORNHOST                  IPv4 (4) + port (4)
 *    56     8  STORETIMESTAMP
 *    64     8  STOREHOST                 IPv4 (4) + port (4)
 *    72     4  RECONSUMETIMES
 *    76     8  PREPARED TRANSACTION OFFSET
 *    84     4  BODYLENGTH, then BODY
 *     .     1  TOPICLENGTH, then TOPIC (UTF-8, at most 127 bytes)
 *     .     2  PROPERTIESLENGTH, then PROPERTIES  `name\u0001value\u0002...`
 *
 * As in RocketMQ 5, the last property is `__CRC32#` with a 10-digit CRC32 over every
 * byte of the record before that value except the body (BODYCRC, inside the covered
 * header, guards the body), so a torn or corrupt header, topic or property string is
 * caught, not only a bad body, and the body is checksummed once, not twice.
 */
import { crc32 } from 'node:zlib';
import { crc32Range } from './crc32.js';
import type { StoredMessage, Message } from './message.js';
import { formatMsgId, encodeHost, decodeHost } from './msg-id.js';
import { readInt64BE, writeInt64BE } from '../common/int64.js';
import { PropertyName, KEY_SEPARATOR, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR } from './properties.js';

export const MESSAGE_MAGIC_CODE = -626843481; // 0xDAA320A7
export const BLANK_MAGIC_CODE = -875286124; // 0xCBD43194
/** a segment's end marker needs TOTALSIZE + MAGICCODE */
export const END_FILE_MIN_BLANK_LENGTH = 8;
export const RECORD_FIXED_SIZE = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 4 + 8 + 4 + 1 + 2;
export const MAX_TOPIC_BYTES = 127;
export const MAX_PROPERTIES_BYTES = 32767;
const CRC_DIGITS = 10;
const CRC_TRAILER = Buffer.from(`${PropertyName.Crc32}${NAME_VALUE_SEPARATOR}`);
const NV = NAME_VALUE_SEPARATOR;
const PS = PROPERTY_SEPARATOR;
const PROPERTY_SEPARATOR_BYTE = PROPERTY_SEPARATOR.charCodeAt(0);
/** the CRC value and the final property separator */
const CRC_VALUE_BYTES = CRC_DIGITS + 1;

export const RecordOffset = {
  TotalSize: 0,
  Magic: 4,
  BodyCrc: 8,
  QueueId: 12,
  Flag: 16,
  QueueOffset: 20,
  PhysicalOffset: 28,
  SysFlag: 36,
  BornTimestamp: 40,
  BornHost: 48,
  StoreTimestamp: 56,
  StoreHost: 64,
  ReconsumeTimes: 72,
  PreparedTransactionOffset: 76,
  BodyLength: 84,
} as const;

export interface RecordHeader {
  queueId: number;
  flag: number;
  queueOffset: number;
  physicalOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: string;
  bornPort: number;
  storeTimestamp: number;
  storeHost: string;
  storePort: number;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
}

/** Serialises a message's fields into the stored properties string (without the CRC trailer). */
export function encodeProperties(msg: Message): string {
  // written out field by field: this runs for every stored message
  let out = '';
  if (msg.tag !== undefined && msg.tag !== '') out += PropertyName.Tags + NV + msg.tag + PS;
  if (msg.keys && msg.keys.length > 0) {
    const keys = msg.keys.length === 1 ? msg.keys[0]! : msg.keys.join(KEY_SEPARATOR);
    if (keys !== '') out += PropertyName.Keys + NV + keys + PS;
  }
  if (msg.contentType !== undefined && msg.contentType !== '') out += PropertyName.ContentType + NV + msg.contentType + PS;
  if (msg.shardingKey !== undefined && msg.shardingKey !== '') out += PropertyName.ShardingKey + NV + msg.shardingKey + PS;
  if (msg.delayLevel !== undefined) out += PropertyName.DelayLevel + NV + String(msg.delayLevel) + PS;
  if (msg.deliverAt !== undefined) out += PropertyName.TimerDeliverMs + NV + String(msg.deliverAt) + PS;
  if (msg.expireAt !== undefined) out += PropertyName.ExpireAt + NV + String(msg.expireAt) + PS;
  if (msg.priority !== undefined) out += PropertyName.Priority + NV + String(msg.priority) + PS;
  if (msg.correlationId !== undefined && msg.correlationId !== '') out += PropertyName.CorrelationId + NV + msg.correlationId + PS;
  if (msg.replyTo !== undefined && msg.replyTo !== '') out += PropertyName.ReplyTo + NV + msg.replyTo + PS;
  if (msg.path !== undefined && msg.path !== '') out += PropertyName.Path + NV + msg.path + PS;
  if (msg.uniqueId !== undefined && msg.uniqueId !== '') out += PropertyName.UniqueKey + NV + msg.uniqueId + PS;
  if (msg.producerGroup !== undefined && msg.producerGroup !== '') out += PropertyName.ProducerGroup + NV + msg.producerGroup + PS;
  // user and system properties keep empty values ("" is a value, unlike an unset field)
  const sys = msg.systemProperties;
  if (sys) for (const k of Object.keys(sys)) out += k + NV + sys[k]! + PS;
  const user = msg.properties;
  if (user) for (const k of Object.keys(user)) out += k + NV + user[k]! + PS;
  return out;
}

/** Size the record will have once encoded; lets callers check limits before encoding. */
export function recordSize(bodyLength: number, topicBytes: number, propertiesBytes: number): number {
  return RECORD_FIXED_SIZE + bodyLength + topicBytes + propertiesBytes + CRC_TRAILER.length + CRC_VALUE_BYTES;
}

export interface EncodedRecord {
  buffer: Buffer;
  /** properties string (without CRC trailer), kept for dispatch without re-decoding */
  properties: string;
}

/**
 * Encodes a record into a buffer of its own. Offsets and store timestamp are written
 * later by `stampRecord`, when the commit log assigns them, which also seals the CRC.
 */
export function encodeRecord(msg: Message, header: Omit<RecordHeader, 'queueOffset' | 'physicalOffset' | 'storeTimestamp'>, propertiesString?: string): EncodedRecord {
  const properties = propertiesString ?? encodeProperties(msg);
  const topic = Buffer.from(msg.topic);
  const propertiesBytes = Buffer.byteLength(properties);
  const buf = Buffer.allocUnsafe(recordSize(msg.body.length, topic.length, propertiesBytes));
  writeRecord(buf, 0, msg.body, topic, properties, propertiesBytes, { ...header, queueOffset: 0, physicalOffset: 0, storeTimestamp: 0 });
  return { buffer: buf, properties };
}

/**
 * Writes the complete record (header, body, topic, properties, sealed CRC) into `buf`
 * at `pos`, which must have `recordSize(...)` bytes of room; returns the record size.
 * `topic` is the topic's UTF-8 bytes, `propertiesBytes` the UTF-8 length of `properties`.
 */
export function writeRecord(buf: Buffer, pos: number, body: Uint8Array, topic: Uint8Array, properties: string, propertiesBytes: number, h: RecordHeader): number {
  const bodyLen = body.length;
  const propsLen = propertiesBytes + CRC_TRAILER.length + CRC_VALUE_BYTES;
  const total = RECORD_FIXED_SIZE + bodyLen + topic.length + propsLen;
  buf.writeInt32BE(total, pos);
  buf.writeInt32BE(MESSAGE_MAGIC_CODE, pos + RecordOffset.Magic);
  buf.writeInt32BE(crc32(body) & 0x7fffffff, pos + RecordOffset.BodyCrc);
  buf.writeInt32BE(h.queueId, pos + RecordOffset.QueueId);
  buf.writeInt32BE(h.flag, pos + RecordOffset.Flag);
  writeInt64BE(buf, h.queueOffset, pos + RecordOffset.QueueOffset);
  writeInt64BE(buf, h.physicalOffset, pos + RecordOffset.PhysicalOffset);
  buf.writeInt32BE(h.sysFlag, pos + RecordOffset.SysFlag);
  writeInt64BE(buf, h.bornTimestamp, pos + RecordOffset.BornTimestamp);
  buf.set(hostBytes(h.bornHost), pos + RecordOffset.BornHost);
  buf.writeInt32BE(h.bornPort, pos + RecordOffset.BornHost + 4);
  writeInt64BE(buf, h.storeTimestamp, pos + RecordOffset.StoreTimestamp);
  buf.set(hostBytes(h.storeHost), pos + RecordOffset.StoreHost);
  buf.writeInt32BE(h.storePort, pos + RecordOffset.StoreHost + 4);
  buf.writeInt32BE(h.reconsumeTimes, pos + RecordOffset.ReconsumeTimes);
  writeInt64BE(buf, h.preparedTransactionOffset, pos + RecordOffset.PreparedTransactionOffset);
  let p = pos + RecordOffset.BodyLength;
  buf.writeInt32BE(bodyLen, p);
  p += 4;
  buf.set(body, p);
  p += bodyLen;
  buf[p++] = topic.length;
  buf.set(topic, p);
  p += topic.length;
  buf.writeInt16BE(propsLen, p);
  p += 2;
  if (propertiesBytes > 0) p += buf.write(properties, p);
  buf.set(CRC_TRAILER, p);
  sealCrc(buf, pos, pos + total, bodyLen);
  return total;
}

/** Writes queue offset, physical offset and store timestamp, then seals the record CRC. */
export function stampRecord(buf: Buffer, queueOffset: number, physicalOffset: number, storeTimestamp: number): void {
  writeInt64BE(buf, queueOffset, RecordOffset.QueueOffset);
  writeInt64BE(buf, physicalOffset, RecordOffset.PhysicalOffset);
  writeInt64BE(buf, storeTimestamp, RecordOffset.StoreTimestamp);
  sealCrc(buf, 0, buf.length, buf.readInt32BE(RecordOffset.BodyLength));
}

/** Writes the `__CRC32#` value (10 decimal digits) and the final separator of the record [pos, end). */
function sealCrc(buf: Buffer, pos: number, end: number, bodyLen: number): void {
  const crcAt = end - CRC_VALUE_BYTES;
  let crc = recordCrc(buf, pos, crcAt, bodyLen);
  for (let i = CRC_DIGITS - 1; i >= 0; i--) {
    const q = Math.floor(crc / 10);
    buf[crcAt + i] = 48 + crc - q * 10;
    crc = q;
  }
  buf[end - 1] = PROPERTY_SEPARATOR_BYTE;
}

export const RecordCheck = {
  Ok: 'OK',
  Blank: 'BLANK',
  Corrupt: 'CORRUPT',
  Torn: 'TORN',
} as const;
export type RecordCheck = (typeof RecordCheck)[keyof typeof RecordCheck];

export interface RecordCheckResult {
  status: RecordCheck;
  size: number;
  reason?: string;
}

/**
 * Checks the record starting at `pos` in `buf`. `available` bytes are readable there.
 * TORN: the size or magic is unusable or the record runs past the readable bytes
 * (nothing after it can be trusted). CORRUPT: framing is sound but a CRC fails
 * (the record can be skipped, its neighbours stay readable).
 */
export function checkRecord(buf: Buffer, pos: number, available: number): RecordCheckResult {
  if (available < END_FILE_MIN_BLANK_LENGTH) return { status: RecordCheck.Torn, size: 0, reason: 'truncated header' };
  const size = buf.readInt32BE(pos);
  const magic = buf.readInt32BE(pos + 4);
  if (magic === BLANK_MAGIC_CODE) {
    if (size < END_FILE_MIN_BLANK_LENGTH) return { status: RecordCheck.Torn, size: 0, reason: 'bad blank size' };
    return { status: RecordCheck.Blank, size };
  }
  if (magic !== MESSAGE_MAGIC_CODE) return { status: RecordCheck.Torn, size: 0, reason: 'bad magic code' };
  if (size < RECORD_FIXED_SIZE + CRC_TRAILER.length + CRC_VALUE_BYTES || size > available) {
    return { status: RecordCheck.Torn, size: 0, reason: size > available ? 'record runs past the end' : 'bad size' };
  }
  const crcAt = pos + size - CRC_VALUE_BYTES;
  const bodyLen = buf.readInt32BE(pos + RecordOffset.BodyLength);
  if (bodyLen < 0 || RECORD_FIXED_SIZE + bodyLen > size) return { status: RecordCheck.Corrupt, size, reason: 'bad body length' };
  if (storedCrc(buf, crcAt) !== recordCrc(buf, pos, crcAt, bodyLen)) return { status: RecordCheck.Corrupt, size, reason: 'record CRC mismatch' };
  const body = buf.subarray(pos + RecordOffset.BodyLength + 4, pos + RecordOffset.BodyLength + 4 + bodyLen);
  if ((crc32(body) & 0x7fffffff) !== buf.readInt32BE(pos + RecordOffset.BodyCrc)) {
    return { status: RecordCheck.Corrupt, size, reason: 'body CRC mismatch' };
  }
  return { status: RecordCheck.Ok, size };
}

/** The 10-digit `__CRC32#` value at `at`; -1 when it is not 10 decimal digits. */
function storedCrc(buf: Buffer, at: number): number {
  let v = 0;
  for (let i = at; i < at + CRC_DIGITS; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** CRC32 of the record at `pos` up to `crcAt`, skipping the body (which BODYCRC covers). */
function recordCrc(buf: Buffer, pos: number, crcAt: number, bodyLen: number): number {
  const bodyStart = pos + RecordOffset.BodyLength + 4;
  return crc32Range(buf, bodyStart + bodyLen, crcAt, crc32Range(buf, pos, bodyStart, 0));
}

const hostCache = new Map<string, Buffer>();
/** IPv4 bytes of a host, parsed once per distinct host */
function hostBytes(host: string): Buffer {
  let bytes = hostCache.get(host);
  if (!bytes) {
    bytes = encodeHost(host);
    if (hostCache.size < 1024) hostCache.set(host, bytes);
  }
  return bytes;
}

/** Writes a blank (end of segment) marker of `size` bytes into `buf` at `pos`. */
export function writeBlank(buf: Buffer, pos: number, size: number): void {
  buf.writeInt32BE(size, pos);
  buf.writeInt32BE(BLANK_MAGIC_CODE, pos + 4);
}

export function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf(PROPERTY_SEPARATOR, start);
    const item = text.slice(start, end === -1 ? text.length : end);
    const sep = item.indexOf(NAME_VALUE_SEPARATOR);
    if (sep > 0 && !map.has(item.slice(0, sep))) map.set(item.slice(0, sep), item.slice(sep + 1));
    if (end === -1) break;
    start = end + 1;
  }
  return map;
}

const FIRST_CLASS = new Set<string>([
  PropertyName.Tags, PropertyName.Keys, PropertyName.ContentType, PropertyName.ShardingKey,
  PropertyName.DelayLevel, PropertyName.TimerDeliverMs, PropertyName.ExpireAt, PropertyName.Priority,
  PropertyName.CorrelationId, PropertyName.ReplyTo, PropertyName.Path, PropertyName.UniqueKey,
  PropertyName.ProducerGroup, PropertyName.Crc32,
]);

/** Splits a stored properties map into first-class fields, system and user properties. */
export function applyProperties(msg: Message, props: Map<string, string>, isSystem: (name: string) => boolean): void {
  // written out field by field: this runs for every message read
  const tag = props.get(PropertyName.Tags);
  if (tag !== undefined) msg.tag = tag;
  const keys = props.get(PropertyName.Keys);
  if (keys) msg.keys = keys.split(KEY_SEPARATOR).filter((k) => k.length > 0);
  let v: string | undefined;
  if ((v = props.get(PropertyName.ContentType)) !== undefined) msg.contentType = v;
  if ((v = props.get(PropertyName.ShardingKey)) !== undefined) msg.shardingKey = v;
  if ((v = props.get(PropertyName.DelayLevel)) !== undefined && v !== '') msg.delayLevel = Number(v);
  if ((v = props.get(PropertyName.TimerDeliverMs)) !== undefined && v !== '') msg.deliverAt = Number(v);
  if ((v = props.get(PropertyName.ExpireAt)) !== undefined && v !== '') msg.expireAt = Number(v);
  if ((v = props.get(PropertyName.Priority)) !== undefined && v !== '') msg.priority = Number(v);
  if ((v = props.get(PropertyName.CorrelationId)) !== undefined) msg.correlationId = v;
  if ((v = props.get(PropertyName.ReplyTo)) !== undefined) msg.replyTo = v;
  if ((v = props.get(PropertyName.Path)) !== undefined) msg.path = v;
  if ((v = props.get(PropertyName.UniqueKey)) !== undefined) msg.uniqueId = v;
  if ((v = props.get(PropertyName.ProducerGroup)) !== undefined) msg.producerGroup = v;
  for (const [k, value] of props) {
    if (FIRST_CLASS.has(k)) continue;
    if (isSystem(k)) (msg.systemProperties ??= {})[k] = value;
    else (msg.properties ??= {})[k] = value;
  }
}

/** Reads the record header fields at `pos`. */
export function readHeader(buf: Buffer, pos: number): RecordHeader {
  return {
    queueId: buf.readInt32BE(pos + RecordOffset.QueueId),
    flag: buf.readInt32BE(pos + RecordOffset.Flag),
    queueOffset: readInt64BE(buf, pos + RecordOffset.QueueOffset),
    physicalOffset: readInt64BE(buf, pos + RecordOffset.PhysicalOffset),
    sysFlag: buf.readInt32BE(pos + RecordOffset.SysFlag),
    bornTimestamp: readInt64BE(buf, pos + RecordOffset.BornTimestamp),
    bornHost: decodeHost(buf, pos + RecordOffset.BornHost),
    bornPort: buf.readInt32BE(pos + RecordOffset.BornHost + 4),
    storeTimestamp: readInt64BE(buf, pos + RecordOffset.StoreTimestamp),
    storeHost: decodeHost(buf, pos + RecordOffset.StoreHost),
    storePort: buf.readInt32BE(pos + RecordOffset.StoreHost + 4),
    reconsumeTimes: buf.readInt32BE(pos + RecordOffset.ReconsumeTimes),
    preparedTransactionOffset: readInt64BE(buf, pos + RecordOffset.PreparedTransactionOffset),
  };
}

export interface RecordParts {
  header: RecordHeader;
  body: Buffer;
  topic: string;
  properties: Map<string, string>;
  size: number;
}

/** Splits the record at `pos` into its parts. The body is a copy, safe to keep. */
export function readRecordParts(buf: Buffer, pos: number): RecordParts {
  const size = buf.readInt32BE(pos);
  const header = readHeader(buf, pos);
  const { body, topic, properties } = readVariableParts(buf, pos);
  return { header, body, topic, properties, size };
}

/** The body (a copy), topic and properties of the record at `pos`. */
function readVariableParts(buf: Buffer, pos: number): { body: Buffer; topic: string; properties: Map<string, string> } {
  let p = pos + RecordOffset.BodyLength;
  const bodyLen = buf.readInt32BE(p);
  p += 4;
  const body = Buffer.allocUnsafe(bodyLen);
  buf.copy(body, 0, p, p + bodyLen);
  p += bodyLen;
  const topicLen = buf[p]!;
  p += 1;
  const topic = buf.toString('utf8', p, p + topicLen);
  p += topicLen;
  const propsLen = buf.readInt16BE(p);
  p += 2;
  return { body, topic, properties: parseProperties(buf.toString('utf8', p, p + propsLen)) };
}

/** Decodes the record at `pos` into a StoredMessage. The body is a copy, safe to keep. */
export function decodeRecord(buf: Buffer, pos: number, isSystem: (name: string) => boolean): StoredMessage {
  // reads only what a StoredMessage holds (readRecordParts decodes the hosts too)
  const size = buf.readInt32BE(pos);
  const physicalOffset = readInt64BE(buf, pos + RecordOffset.PhysicalOffset);
  const { body, topic, properties } = readVariableParts(buf, pos);
  const offsetMsgId = formatMsgId({ host: decodeHost(buf, pos + RecordOffset.StoreHost), port: buf.readInt32BE(pos + RecordOffset.StoreHost + 4), commitLogOffset: physicalOffset });
  const msg: StoredMessage = {
    topic,
    body,
    msgId: offsetMsgId,
    offsetMsgId,
    queueId: buf.readInt32BE(pos + RecordOffset.QueueId),
    queueOffset: readInt64BE(buf, pos + RecordOffset.QueueOffset),
    commitLogOffset: physicalOffset,
    storeSize: size,
    storeTimestamp: readInt64BE(buf, pos + RecordOffset.StoreTimestamp),
    bornTimestamp: readInt64BE(buf, pos + RecordOffset.BornTimestamp),
    reconsumeTimes: buf.readInt32BE(pos + RecordOffset.ReconsumeTimes),
    sysFlag: buf.readInt32BE(pos + RecordOffset.SysFlag),
    flag: buf.readInt32BE(pos + RecordOffset.Flag),
    preparedTransactionOffset: readInt64BE(buf, pos + RecordOffset.PreparedTransactionOffset),
  };
  applyProperties(msg, properties, isSystem);
  // RocketMQ's client-visible id: the unique key when the record carries one (a retry or
  // delayed copy keeps its original's id), else the offset id of this record
  if (msg.uniqueId) msg.msgId = msg.uniqueId;
  return msg;
}

/** Java's String.hashCode, as RocketMQ computes a tag's hash for the consume queue. */
export function tagHash(tag: string | undefined): number {
  if (!tag) return 0;
  let h = 0;
  for (let i = 0; i < tag.length; i++) h = (Math.imul(31, h) + tag.charCodeAt(i)) | 0;
  return h;
}
