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
  let out = '';
  const put = (name: string, value: string | number | undefined): void => {
    if (value === undefined || value === '') return;
    out += name + NAME_VALUE_SEPARATOR + String(value) + PROPERTY_SEPARATOR;
  };
  put(PropertyName.Tags, msg.tag);
  if (msg.keys && msg.keys.length > 0) put(PropertyName.Keys, msg.keys.join(KEY_SEPARATOR));
  put(PropertyName.ContentType, msg.contentType);
  put(PropertyName.ShardingKey, msg.shardingKey);
  put(PropertyName.DelayLevel, msg.delayLevel);
  put(PropertyName.TimerDeliverMs, msg.deliverAt);
  put(PropertyName.ExpireAt, msg.expireAt);
  put(PropertyName.Priority, msg.priority);
  put(PropertyName.CorrelationId, msg.correlationId);
  put(PropertyName.ReplyTo, msg.replyTo);
  put(PropertyName.Path, msg.path);
  put(PropertyName.UniqueKey, msg.uniqueId);
  put(PropertyName.ProducerGroup, msg.producerGroup);
  // user and system properties keep empty values ("" is a value, unlike an unset field)
  const putAlways = (name: string, value: string): void => {
    out += name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
  };
  if (msg.systemProperties) for (const [k, v] of Object.entries(msg.systemProperties)) putAlways(k, v);
  if (msg.properties) for (const [k, v] of Object.entries(msg.properties)) putAlways(k, v);
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
 * Encodes a record. Offsets and store timestamp are written later by `stampRecord`,
 * when the commit log assigns them, which also seals the CRC.
 */
export function encodeRecord(msg: Message, header: Omit<RecordHeader, 'queueOffset' | 'physicalOffset' | 'storeTimestamp'>, propertiesString?: string): EncodedRecord {
  const properties = propertiesString ?? encodeProperties(msg);
  const topicLen = Buffer.byteLength(msg.topic);
  const propsLen = Buffer.byteLength(properties) + CRC_TRAILER.length + CRC_VALUE_BYTES;
  const total = RECORD_FIXED_SIZE + msg.body.length + topicLen + propsLen - 0;
  const buf = Buffer.allocUnsafe(total);
  buf.writeInt32BE(total, RecordOffset.TotalSize);
  buf.writeInt32BE(MESSAGE_MAGIC_CODE, RecordOffset.Magic);
  buf.writeInt32BE(crc32(msg.body) & 0x7fffffff, RecordOffset.BodyCrc);
  buf.writeInt32BE(header.queueId, RecordOffset.QueueId);
  buf.writeInt32BE(header.flag, RecordOffset.Flag);
  buf.writeInt32BE(header.sysFlag, RecordOffset.SysFlag);
  writeInt64BE(buf, header.bornTimestamp, RecordOffset.BornTimestamp);
  hostBytes(header.bornHost).copy(buf, RecordOffset.BornHost);
  buf.writeInt32BE(header.bornPort, RecordOffset.BornHost + 4);
  hostBytes(header.storeHost).copy(buf, RecordOffset.StoreHost);
  buf.writeInt32BE(header.storePort, RecordOffset.StoreHost + 4);
  buf.writeInt32BE(header.reconsumeTimes, RecordOffset.ReconsumeTimes);
  writeInt64BE(buf, header.preparedTransactionOffset, RecordOffset.PreparedTransactionOffset);
  let pos = RecordOffset.BodyLength;
  buf.writeInt32BE(msg.body.length, pos);
  pos += 4;
  msg.body.copy(buf, pos);
  pos += msg.body.length;
  buf.writeUInt8(topicLen, pos);
  pos += 1;
  pos += buf.write(msg.topic, pos);
  buf.writeInt16BE(propsLen, pos);
  pos += 2;
  pos += buf.write(properties, pos);
  CRC_TRAILER.copy(buf, pos);
  return { buffer: buf, properties };
}

/** Writes queue offset, physical offset and store timestamp, then seals the record CRC. */
export function stampRecord(buf: Buffer, queueOffset: number, physicalOffset: number, storeTimestamp: number): void {
  writeInt64BE(buf, queueOffset, RecordOffset.QueueOffset);
  writeInt64BE(buf, physicalOffset, RecordOffset.PhysicalOffset);
  writeInt64BE(buf, storeTimestamp, RecordOffset.StoreTimestamp);
  const crcAt = buf.length - CRC_VALUE_BYTES;
  const crc = recordCrc(buf, 0, crcAt, buf.readInt32BE(RecordOffset.BodyLength));
  buf.write(crc.toString().padStart(CRC_DIGITS, '0'), crcAt, 'latin1');
  buf.write(PROPERTY_SEPARATOR, buf.length - 1, 'latin1');
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
  const stored = buf.toString('latin1', crcAt, crcAt + CRC_DIGITS);
  const actual = recordCrc(buf, pos, crcAt, bodyLen).toString().padStart(CRC_DIGITS, '0');
  if (stored !== actual) return { status: RecordCheck.Corrupt, size, reason: 'record CRC mismatch' };
  const body = buf.subarray(pos + RecordOffset.BodyLength + 4, pos + RecordOffset.BodyLength + 4 + bodyLen);
  if ((crc32(body) & 0x7fffffff) !== buf.readInt32BE(pos + RecordOffset.BodyCrc)) {
    return { status: RecordCheck.Corrupt, size, reason: 'body CRC mismatch' };
  }
  return { status: RecordCheck.Ok, size };
}

/** CRC32 of the record at `pos` up to `crcAt`, skipping the body (which BODYCRC covers). */
function recordCrc(buf: Buffer, pos: number, crcAt: number, bodyLen: number): number {
  const bodyStart = pos + RecordOffset.BodyLength + 4;
  const head = crc32(buf.subarray(pos, bodyStart));
  return crc32(buf.subarray(bodyStart + bodyLen, crcAt), head) >>> 0;
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
  const num = (name: string): number | undefined => {
    const v = props.get(name);
    return v === undefined || v === '' ? undefined : Number(v);
  };
  const tag = props.get(PropertyName.Tags);
  if (tag !== undefined) msg.tag = tag;
  const keys = props.get(PropertyName.Keys);
  if (keys) msg.keys = keys.split(KEY_SEPARATOR).filter((k) => k.length > 0);
  const str = (name: string): string | undefined => props.get(name);
  const assign = <K extends keyof Message>(key: K, value: Message[K] | undefined): void => {
    if (value !== undefined) msg[key] = value;
  };
  assign('contentType', str(PropertyName.ContentType));
  assign('shardingKey', str(PropertyName.ShardingKey));
  assign('delayLevel', num(PropertyName.DelayLevel));
  assign('deliverAt', num(PropertyName.TimerDeliverMs));
  assign('expireAt', num(PropertyName.ExpireAt));
  assign('priority', num(PropertyName.Priority));
  assign('correlationId', str(PropertyName.CorrelationId));
  assign('replyTo', str(PropertyName.ReplyTo));
  assign('path', str(PropertyName.Path));
  assign('uniqueId', str(PropertyName.UniqueKey));
  assign('producerGroup', str(PropertyName.ProducerGroup));
  for (const [k, v] of props) {
    if (FIRST_CLASS.has(k)) continue;
    if (isSystem(k)) (msg.systemProperties ??= {})[k] = v;
    else (msg.properties ??= {})[k] = v;
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
  let p = pos + RecordOffset.BodyLength;
  const bodyLen = buf.readInt32BE(p);
  p += 4;
  const body = Buffer.from(buf.subarray(p, p + bodyLen));
  p += bodyLen;
  const topicLen = buf.readUInt8(p);
  p += 1;
  const topic = buf.toString('utf8', p, p + topicLen);
  p += topicLen;
  const propsLen = buf.readInt16BE(p);
  p += 2;
  const properties = parseProperties(buf.toString('utf8', p, p + propsLen));
  return { header, body, topic, properties, size };
}

/** Decodes the record at `pos` into a StoredMessage. */
export function decodeRecord(buf: Buffer, pos: number, isSystem: (name: string) => boolean): StoredMessage {
  const parts = readRecordParts(buf, pos);
  const h = parts.header;
  const offsetMsgId = formatMsgId({ host: h.storeHost, port: h.storePort, commitLogOffset: h.physicalOffset });
  const msg: StoredMessage = {
    topic: parts.topic,
    body: parts.body,
    msgId: offsetMsgId,
    offsetMsgId,
    queueId: h.queueId,
    queueOffset: h.queueOffset,
    commitLogOffset: h.physicalOffset,
    storeSize: parts.size,
    storeTimestamp: h.storeTimestamp,
    bornTimestamp: h.bornTimestamp,
    reconsumeTimes: h.reconsumeTimes,
    sysFlag: h.sysFlag,
    flag: h.flag,
    preparedTransactionOffset: h.preparedTransactionOffset,
  };
  applyProperties(msg, parts.properties, isSystem);
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
