/**
 * Route documents as RocketMQ serializes them (remoting/protocol/route/*, body/ClusterInfo,
 * DataVersion, TopicConfig), written as standard JSON with fastjson's field names:
 *
 *   TopicRouteData  {"brokerDatas":[BrokerData],"filterServerTable":{addr:[addr]},
 *                    "orderTopicConf"?:string,"queueDatas":[QueueData]}
 *   BrokerData      {"brokerAddrs":{"0":"host:port","1":...},"brokerName","cluster",
 *                    "enableActingMaster":bool,"zoneName"?}
 *   QueueData       {"brokerName","perm","readQueueNums","topicSysFlag","writeQueueNums"}
 *   ClusterInfo     {"brokerAddrTable":{brokerName:BrokerData},"clusterAddrTable":{cluster:[brokerName]}}
 *   DataVersion     {"counter","stateVersion","timestamp"}
 *   TopicConfig     {"attributes":{},"order","perm","readQueueNums","topicFilterType":"SINGLE_TAG",
 *                    "topicName","topicSysFlag","writeQueueNums"}
 *
 * Broker id 0 is the master (MixAll.MASTER_ID). Perm bits are PermName's: 2 write, 4 read
 * (8 priority, 1 inherit).
 */
export const MASTER_ID = 0;
export const PERM_INHERIT = 1;
export const PERM_WRITE = 2;
export const PERM_READ = 4;
export const PERM_PRIORITY = 8;

export interface DataVersion {
  stateVersion: number;
  timestamp: number;
  counter: number;
}

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: string;
  topicSysFlag: number;
  order: boolean;
  attributes: Record<string, string>;
}

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** broker id → "host:port"; 0 is the master */
  brokerAddrs: Record<string, string>;
  enableActingMaster: boolean;
  zoneName?: string;
}

export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  filterServerTable: Record<string, string[]>;
}

export interface ClusterInfo {
  brokerAddrTable: Record<string, BrokerData>;
  clusterAddrTable: Record<string, string[]>;
}

export function sameDataVersion(a: DataVersion | undefined, b: DataVersion | undefined): boolean {
  return !!a && !!b && a.stateVersion === b.stateVersion && a.timestamp === b.timestamp && a.counter === b.counter;
}

const num = (v: unknown, fallback = 0): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : fallback);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function toDataVersion(v: unknown): DataVersion {
  const o = obj(v);
  return { stateVersion: num(o.stateVersion), timestamp: num(o.timestamp), counter: num(o.counter) };
}

/** fastjson's field order for DataVersion */
export function dataVersionJson(v: DataVersion): Record<string, number> {
  return { counter: v.counter, stateVersion: v.stateVersion, timestamp: v.timestamp };
}

export function toTopicConfig(v: unknown, name?: string): TopicConfig {
  const o = obj(v);
  const attributes: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(o.attributes))) attributes[k] = str(val);
  return {
    topicName: str(o.topicName) || (name ?? ''),
    readQueueNums: num(o.readQueueNums, 16),
    writeQueueNums: num(o.writeQueueNums, 16),
    perm: num(o.perm, PERM_READ | PERM_WRITE),
    topicFilterType: str(o.topicFilterType) || 'SINGLE_TAG',
    topicSysFlag: num(o.topicSysFlag),
    order: o.order === true || o.order === 'true',
    attributes,
  };
}

export function topicConfigJson(t: TopicConfig): Record<string, unknown> {
  return {
    attributes: t.attributes, order: t.order, perm: t.perm, readQueueNums: t.readQueueNums,
    topicFilterType: t.topicFilterType, topicName: t.topicName, topicSysFlag: t.topicSysFlag, writeQueueNums: t.writeQueueNums,
  };
}

export function toBrokerData(v: unknown): BrokerData {
  const o = obj(v);
  const brokerAddrs: Record<string, string> = {};
  for (const [id, addr] of Object.entries(obj(o.brokerAddrs))) brokerAddrs[id] = str(addr);
  const out: BrokerData = { cluster: str(o.cluster), brokerName: str(o.brokerName), brokerAddrs, enableActingMaster: o.enableActingMaster === true };
  if (typeof o.zoneName === 'string') out.zoneName = o.zoneName;
  return out;
}

function brokerDataJson(b: BrokerData): Record<string, unknown> {
  const ids = Object.keys(b.brokerAddrs).sort((x, y) => Number(x) - Number(y));
  const out: Record<string, unknown> = {
    brokerAddrs: Object.fromEntries(ids.map((id) => [id, b.brokerAddrs[id]])),
    brokerName: b.brokerName,
    cluster: b.cluster,
    enableActingMaster: b.enableActingMaster,
  };
  if (b.zoneName !== undefined) out.zoneName = b.zoneName;
  return out;
}

export function toQueueData(v: unknown): QueueData {
  const o = obj(v);
  return { brokerName: str(o.brokerName), readQueueNums: num(o.readQueueNums), writeQueueNums: num(o.writeQueueNums), perm: num(o.perm), topicSysFlag: num(o.topicSysFlag) };
}

function queueDataJson(q: QueueData): Record<string, unknown> {
  return { brokerName: q.brokerName, perm: q.perm, readQueueNums: q.readQueueNums, topicSysFlag: q.topicSysFlag, writeQueueNums: q.writeQueueNums };
}

export function encodeTopicRouteData(route: TopicRouteData): Buffer {
  const out: Record<string, unknown> = {
    brokerDatas: route.brokerDatas.map(brokerDataJson),
    filterServerTable: route.filterServerTable,
  };
  if (route.orderTopicConf !== undefined) out.orderTopicConf = route.orderTopicConf;
  out.queueDatas = route.queueDatas.map(queueDataJson);
  return Buffer.from(JSON.stringify(out), 'utf8');
}

export function decodeTopicRouteData(o: Record<string, unknown>): TopicRouteData {
  const filterServerTable: Record<string, string[]> = {};
  for (const [addr, list] of Object.entries(obj(o.filterServerTable))) filterServerTable[addr] = arr(list).map(str);
  const route: TopicRouteData = {
    queueDatas: arr(o.queueDatas).map(toQueueData),
    brokerDatas: arr(o.brokerDatas).map(toBrokerData),
    filterServerTable,
  };
  if (typeof o.orderTopicConf === 'string') route.orderTopicConf = o.orderTopicConf;
  return route;
}

export function encodeClusterInfo(info: ClusterInfo): Buffer {
  const brokerAddrTable: Record<string, unknown> = {};
  for (const name of Object.keys(info.brokerAddrTable).sort()) brokerAddrTable[name] = brokerDataJson(info.brokerAddrTable[name]!);
  return Buffer.from(JSON.stringify({ brokerAddrTable, clusterAddrTable: info.clusterAddrTable }), 'utf8');
}

export function decodeClusterInfo(o: Record<string, unknown>): ClusterInfo {
  const brokerAddrTable: Record<string, BrokerData> = {};
  for (const [name, b] of Object.entries(obj(o.brokerAddrTable))) brokerAddrTable[name] = toBrokerData(b);
  const clusterAddrTable: Record<string, string[]> = {};
  for (const [cluster, names] of Object.entries(obj(o.clusterAddrTable))) clusterAddrTable[cluster] = arr(names).map(str);
  return { brokerAddrTable, clusterAddrTable };
}
