/**
 * Message ids in RocketMQ's offsetMsgId form: 16 bytes as 32 upper-case hex digits,
 *   store host IPv4 (4) | store port (4) | commit log offset (8).
 * The id locates the message: the broker that stored it and where in its commit log.
 * Unique across restarts (the commit log offset only grows) and across brokers
 * (each broker has its own host:port).
 */
export interface MsgIdParts {
  host: string;
  port: number;
  commitLogOffset: number;
}

export const MSG_ID_LENGTH = 32;

export function encodeHost(host: string): Buffer {
  const parts = host.split('.').map((p) => Number(p));
  const out = Buffer.alloc(4);
  if (parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)) {
    parts.forEach((p, i) => out.writeUInt8(p, i));
  }
  return out;
}

export function decodeHost(buf: Buffer, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

const prefixCache = new Map<string, string>();

export function formatMsgId(parts: MsgIdParts): string {
  const key = `${parts.host}:${parts.port}`;
  let prefix = prefixCache.get(key);
  if (!prefix) {
    const buf = Buffer.alloc(8);
    encodeHost(parts.host).copy(buf, 0);
    buf.writeInt32BE(parts.port, 4);
    prefix = buf.toString('hex').toUpperCase();
    if (prefixCache.size < 1024) prefixCache.set(key, prefix);
  }
  return prefix + parts.commitLogOffset.toString(16).toUpperCase().padStart(16, '0');
}

export function parseMsgId(msgId: string): MsgIdParts | undefined {
  if (msgId.length !== MSG_ID_LENGTH || !/^[0-9a-fA-F]+$/.test(msgId)) return undefined;
  const buf = Buffer.from(msgId, 'hex');
  return { host: decodeHost(buf, 0), port: buf.readInt32BE(4), commitLogOffset: buf.readInt32BE(8) * 4294967296 + buf.readUInt32BE(12) };
}

let uniqueCounter = 0;
const uniquePrefix = (() => {
  const buf = Buffer.alloc(10);
  buf.writeUInt16BE(process.pid & 0xffff, 4);
  buf.writeUInt32BE((Math.random() * 0xffffffff) >>> 0, 6);
  return buf;
})();

/**
 * A producer-side unique id in RocketMQ's UNIQ_KEY shape (host 4, pid 2, random 4,
 * time 4, counter 2: 32 hex digits). The broker gives one to messages it stores more
 * than once (delayed, transactional), so the id consumers see stays the same.
 */
export function createUniqueId(host = '127.0.0.1'): string {
  const buf = Buffer.alloc(16);
  encodeHost(host).copy(buf, 0);
  uniquePrefix.copy(buf, 4, 4, 10);
  buf.writeUInt32BE((Date.now() / 1000) >>> 0, 10);
  buf.writeUInt16BE(uniqueCounter++ & 0xffff, 14);
  return buf.toString('hex').toUpperCase();
}
