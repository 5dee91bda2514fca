/**
 * REGISTER_BROKER's body (RocketMQ RegisterBrokerBody), in its two forms.
 *
 * Plain (header compressed=false), JSON:
 *   {"filterServerList":[],"topicConfigSerializeWrapper":
 *     {"dataVersion":DataVersion,"topicConfigTable":{topic:TopicConfig}}}
 *   Brokers older than V3_0_11 (version < 37) send the wrapper alone.
 *
 * Compressed (header compressed=true): zlib (java.util.zip.Deflater) of, big-endian,
 *   int32 n, n bytes DataVersion JSON
 *   int32 count, then count × (int32 n, n bytes TopicConfig.encode():
 *                              "name read write perm filterType [attributesJSON]", space-separated)
 *   int32 n, n bytes filterServerList JSON
 *   from V5_0_0 (version ≥ 413): int32 count, count × (int32 n, n bytes TopicQueueMappingInfo JSON)
 *
 * The header's bodyCrc32 is CRC32(body) & 0x7fffffff (UtilAll.crc32); 0 = not checked.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { jsonBody, parseFastJson, parseJsonObject } from './fastjson.js';
import {
  dataVersionJson, toDataVersion, toTopicConfig, topicConfigJson, type DataVersion, type TopicConfig,
} from './route-data.js';

export const VERSION_V3_0_11 = 37;
export const VERSION_V5_0_0 = 413;

export interface RegisterBrokerBody {
  dataVersion: DataVersion;
  topicConfigTable: Record<string, TopicConfig>;
  filterServerList: string[];
}

export function bodyCrc32(body: Buffer): number {
  return crc32(body) & 0x7fffffff;
}

export function encodeRegisterBrokerBody(body: RegisterBrokerBody, compress = false): Buffer {
  if (!compress) {
    const table: Record<string, unknown> = {};
    for (const [name, tc] of Object.entries(body.topicConfigTable)) table[name] = topicConfigJson(tc);
    return jsonBody({
      filterServerList: body.filterServerList,
      topicConfigSerializeWrapper: { dataVersion: dataVersionJson(body.dataVersion), topicConfigTable: table },
    });
  }
  const parts: Buffer[] = [];
  const chunk = (bytes: Buffer): void => {
    parts.push(int32(bytes.length), bytes);
  };
  chunk(jsonBody(dataVersionJson(body.dataVersion)));
  const configs = Object.values(body.topicConfigTable);
  parts.push(int32(configs.length));
  for (const tc of configs) {
    chunk(Buffer.from(`${tc.topicName} ${tc.readQueueNums} ${tc.writeQueueNums} ${tc.perm} ${tc.topicFilterType} ${JSON.stringify(tc.attributes)}`, 'utf8'));
  }
  chunk(jsonBody(body.filterServerList));
  parts.push(int32(0));
  return deflateSync(Buffer.concat(parts), { level: 9 });
}

export function decodeRegisterBrokerBody(raw: Buffer | undefined, options: { compressed: boolean; version: number }): RegisterBrokerBody {
  if (!raw || raw.length === 0) return { dataVersion: { stateVersion: 0, timestamp: 0, counter: 0 }, topicConfigTable: {}, filterServerList: [] };
  if (options.compressed) return decodeCompressed(inflateSync(raw), options.version);
  const o = parseJsonObject(raw, 'RegisterBrokerBody');
  const wrapper = (options.version >= VERSION_V3_0_11 ? o.topicConfigSerializeWrapper : o) as Record<string, unknown> | undefined;
  const topicConfigTable: Record<string, TopicConfig> = {};
  const table = wrapper?.topicConfigTable;
  if (table && typeof table === 'object') {
    for (const [name, tc] of Object.entries(table as Record<string, unknown>)) topicConfigTable[name] = toTopicConfig(tc, name);
  }
  const list = options.version >= VERSION_V3_0_11 && Array.isArray(o.filterServerList) ? o.filterServerList.map(String) : [];
  return { dataVersion: toDataVersion(wrapper?.dataVersion), topicConfigTable, filterServerList: list };
}

function decodeCompressed(buf: Buffer, version: number): RegisterBrokerBody {
  let pos = 0;
  const readInt = (): number => {
    if (pos + 4 > buf.length) throw new Error('compressed RegisterBrokerBody is truncated');
    const v = buf.readInt32BE(pos);
    pos += 4;
    return v;
  };
  const readChunk = (): string => {
    const n = readInt();
    if (n < 0 || pos + n > buf.length) throw new Error('compressed RegisterBrokerBody is truncated');
    const s = buf.toString('utf8', pos, pos + n);
    pos += n;
    return s;
  };
  const dataVersion = toDataVersion(parseFastJson(readChunk()));
  const topicConfigTable: Record<string, TopicConfig> = {};
  const count = readInt();
  for (let i = 0; i < count; i++) {
    const tc = decodeTopicConfigLine(readChunk());
    if (tc) topicConfigTable[tc.topicName] = tc;
  }
  let filterServerList: string[] = [];
  try {
    const list = parseFastJson(readChunk());
    if (Array.isArray(list)) filterServerList = list.map(String);
  } catch {
    // RocketMQ logs and goes on with an empty list
  }
  if (version >= VERSION_V5_0_0 && pos < buf.length) {
    // static-topic queue mappings: not supported here, read past them
    const mappings = readInt();
    for (let i = 0; i < mappings; i++) readChunk();
  }
  return { dataVersion, topicConfigTable, filterServerList };
}

/** TopicConfig.decode: at least 5 space-separated fields, attributes JSON optional */
export function decodeTopicConfigLine(line: string): TopicConfig | undefined {
  const parts = line.split(' ');
  if (parts.length < 5) return undefined;
  let attributes: Record<string, unknown> = {};
  if (parts.length >= 6) {
    try {
      attributes = JSON.parse(parts.slice(5).join(' ')) as Record<string, unknown>;
    } catch {
      // as RocketMQ: attributes with spaces may not parse; they are dropped
    }
  }
  return toTopicConfig({
    topicName: parts[0], readQueueNums: Number(parts[1]), writeQueueNums: Number(parts[2]), perm: Number(parts[3]),
    topicFilterType: parts[4], attributes,
  });
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
