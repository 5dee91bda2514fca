/**
 * SEND_BATCH_MESSAGE's body (MessageDecoder.encodeMessages): the messages one after
 * another, each, big-endian,
 *   off  size  field
 *     0     4  TOTALSIZE   this entry, this field included
 *     4     4  MAGICCODE   0 (unused)
 *     8     4  BODYCRC     0 (unused)
 *    12     4  FLAG
 *    16     4  BODYLENGTH, then BODY
 *     .     2  PROPERTIESLENGTH, then PROPERTIES (UTF-8, `name\u0001value\u0002...`)
 * The topic travels in the request header; each entry has its own properties
 * (its own UNIQ_KEY, TAGS, KEYS).
 */
export interface BatchEntry {
  flag: number;
  body: Buffer;
  properties: string;
}

const FIXED = 4 + 4 + 4 + 4 + 4 + 2;

export function decodeMessageBatch(buf: Buffer): BatchEntry[] {
  const out: BatchEntry[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < FIXED) throw new Error(`batch entry at byte ${pos} is truncated`);
    const total = buf.readInt32BE(pos);
    if (total < FIXED || pos + total > buf.length) throw new Error(`batch entry at byte ${pos} has a bad size ${total}`);
    const flag = buf.readInt32BE(pos + 12);
    const bodyLen = buf.readInt32BE(pos + 16);
    if (bodyLen < 0 || FIXED + bodyLen > total) throw new Error(`batch entry at byte ${pos} has a bad body length ${bodyLen}`);
    const body = Buffer.from(buf.subarray(pos + 20, pos + 20 + bodyLen));
    const propsLen = buf.readInt16BE(pos + 20 + bodyLen);
    if (propsLen < 0 || FIXED + bodyLen + propsLen > total) throw new Error(`batch entry at byte ${pos} has a bad properties length ${propsLen}`);
    const properties = buf.toString('utf8', pos + 22 + bodyLen, pos + 22 + bodyLen + propsLen);
    out.push({ flag, body, properties });
    pos += total;
  }
  return out;
}

export function encodeMessageBatch(entries: BatchEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const props = Buffer.from(e.properties, 'utf8');
    if (props.length > 32767) throw new Error('properties longer than 32767 bytes');
    const out = Buffer.alloc(FIXED + e.body.length + props.length);
    out.writeInt32BE(out.length, 0);
    out.writeInt32BE(e.flag, 12);
    out.writeInt32BE(e.body.length, 16);
    e.body.copy(out, 20);
    out.writeInt16BE(props.length, 20 + e.body.length);
    props.copy(out, 22 + e.body.length);
    parts.push(out);
  }
  return Buffer.concat(parts);
}
