/**
 * The two header serializations of RocketMQ's remoting protocol.
 *
 * JSON (SerializeType 0, RemotingSerializable / fastjson): one UTF-8 JSON object,
 * fields in fastjson's alphabetical order, null fields left out:
 *   {"code":105,"extFields":{"topic":"t"},"flag":0,"language":"JAVA","opaque":7,
 *    "remark":"...","serializeTypeCurrentRPC":"JSON","version":401}
 *
 * ROCKETMQ (SerializeType 1, RocketMQSerializable), big-endian:
 *   off  size  field
 *     0     2  code        int16 (codes above 32767 do not fit: such commands go as JSON)
 *     2     1  language    LanguageCode byte
 *     3     2  version     int16
 *     5     4  opaque      int32
 *     9     4  flag        int32
 *    13     4  remarkLen   int32, 0 = no remark; then remark, UTF-8
 *     .     4  extLen      int32, bytes of the map that follows; 0 = no fields
 *     .        extLen bytes of entries: keyLen int16, key UTF-8, valueLen int32, value UTF-8
 */
import {
  LanguageCode, SerializeType, isLanguageName, languageName, type LanguageName, type RemotingCommand,
} from './command.js';
import { RemotingError, RemotingErrorCode } from './errors.js';

const INT16_MIN = -32768;
const INT16_MAX = 32767;

/** header fields of a command, without the body */
export type CommandHeader = Omit<RemotingCommand, 'body'>;

/** true when the command can travel with a ROCKETMQ binary header */
export function fitsBinaryHeader(cmd: CommandHeader): boolean {
  return cmd.code >= INT16_MIN && cmd.code <= INT16_MAX && cmd.version >= INT16_MIN && cmd.version <= INT16_MAX;
}

export function encodeJsonHeader(cmd: CommandHeader): Buffer {
  const json: Record<string, unknown> = { code: cmd.code };
  if (Object.keys(cmd.extFields).length > 0) json.extFields = cmd.extFields;
  json.flag = cmd.flag;
  json.language = cmd.language;
  json.opaque = cmd.opaque;
  if (cmd.remark !== undefined) json.remark = cmd.remark;
  json.serializeTypeCurrentRPC = 'JSON';
  json.version = cmd.version;
  return Buffer.from(JSON.stringify(json), 'utf8');
}

export function decodeJsonHeader(buf: Buffer): CommandHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new RemotingError(RemotingErrorCode.BadFrame, `JSON header does not parse: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RemotingError(RemotingErrorCode.BadFrame, 'JSON header is not an object');
  }
  const h = parsed as Record<string, unknown>;
  const int = (name: string, fallback: number): number => {
    const v = h[name];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new RemotingError(RemotingErrorCode.BadFrame, `JSON header field ${name} is not an integer`);
    return v;
  };
  if (h.code === undefined) throw new RemotingError(RemotingErrorCode.BadFrame, 'JSON header has no code');
  const language = typeof h.language === 'string' && isLanguageName(h.language) ? h.language
    : typeof h.language === 'number' ? languageName(h.language) : 'OTHER';
  const remark = h.remark === undefined || h.remark === null ? undefined : String(h.remark);
  return {
    code: int('code', 0),
    language,
    version: int('version', 0),
    opaque: int('opaque', 0),
    flag: int('flag', 0),
    remark,
    extFields: stringMap(h.extFields),
    serializeType: SerializeType.Json,
  };
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) throw new RemotingError(RemotingErrorCode.BadFrame, 'JSON header extFields is not an object');
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

export function encodeBinaryHeader(cmd: CommandHeader): Buffer {
  if (!fitsBinaryHeader(cmd)) throw new RemotingError(RemotingErrorCode.BadFrame, `code ${cmd.code} / version ${cmd.version} does not fit a ROCKETMQ header`);
  const remark = cmd.remark ? Buffer.from(cmd.remark, 'utf8') : undefined;
  const entries: Array<[Buffer, Buffer]> = [];
  let extLen = 0;
  for (const [k, v] of Object.entries(cmd.extFields)) {
    const key = Buffer.from(k, 'utf8');
    const value = Buffer.from(v, 'utf8');
    if (key.length > INT16_MAX) throw new RemotingError(RemotingErrorCode.BadFrame, `header field name longer than ${INT16_MAX} bytes`);
    entries.push([key, value]);
    extLen += 2 + key.length + 4 + value.length;
  }
  const out = Buffer.allocUnsafe(2 + 1 + 2 + 4 + 4 + 4 + (remark?.length ?? 0) + 4 + extLen);
  let p = out.writeInt16BE(cmd.code, 0);
  p = out.writeUInt8(LanguageCode[cmd.language], p);
  p = out.writeInt16BE(cmd.version, p);
  p = out.writeInt32BE(cmd.opaque | 0, p);
  p = out.writeInt32BE(cmd.flag | 0, p);
  p = out.writeInt32BE(remark?.length ?? 0, p);
  if (remark) p += remark.copy(out, p);
  p = out.writeInt32BE(extLen, p);
  for (const [key, value] of entries) {
    p = out.writeInt16BE(key.length, p);
    p += key.copy(out, p);
    p = out.writeInt32BE(value.length, p);
    p += value.copy(out, p);
  }
  return out;
}

export function decodeBinaryHeader(buf: Buffer): CommandHeader {
  const r = new BoundedReader(buf);
  const code = r.int16();
  const language: LanguageName = languageName(r.uint8());
  const version = r.int16();
  const opaque = r.int32();
  const flag = r.int32();
  const remark = r.string(r.int32());
  const extLen = r.int32();
  if (extLen < 0 || extLen > r.remaining) throw new RemotingError(RemotingErrorCode.BadFrame, `ROCKETMQ header: extFields length ${extLen} exceeds the header`);
  const extFields: Record<string, string> = {};
  const end = r.pos + extLen;
  while (r.pos < end) {
    const key = r.string(r.int16());
    const value = r.string(r.int32());
    if (r.pos > end) throw new RemotingError(RemotingErrorCode.BadFrame, 'ROCKETMQ header: extFields entry runs past the map');
    if (key !== undefined) extFields[key] = value ?? '';
  }
  return { code, language, version, opaque, flag, remark, extFields, serializeType: SerializeType.RocketMQ };
}

class BoundedReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new RemotingError(RemotingErrorCode.BadFrame, `ROCKETMQ header truncated at byte ${this.pos}`);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** RocketMQ's readStr: length 0 means null */
  string(len: number): string | undefined {
    if (len === 0) return undefined;
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
}
