/**
 * A topic's queues across a cluster, as one queue id space for the kernel client.
 *
 * BrokerApi speaks of one broker: a topic has `queueCount` queues 0..n-1. A cluster
 * topic lives on several broker groups, each with its own queues 0..k-1 (RocketMQ's
 * MessageQueue = topic + brokerName + queueId). RemoteBrokerApi lays the groups' queues
 * end to end, groups ordered by broker name:
 *
 *   broker-a: 4 queues, broker-b: 4 queues, broker-c: 2 queues
 *   global    0 1 2 3 | 4 5 6 7 | 8 9
 *   local     0 1 2 3 | 0 1 2 3 | 0 1
 *
 * so `queueCount` is the sum, consumers rebalance and pull over all groups unchanged, and
 * every client that sees the same route computes the same ids. Each group counts with its
 * read queue number (the queues consumers read); its write queues are its first
 * `writeQueueNums` ones. A group appears as long as the nameservers route the topic to it
 * (with a master, or slaves only: readable, not writable).
 *
 * The space changes only when the route's set of groups or their queue numbers change
 * (a topic created on one more group, a group gone entirely). `signature` names a layout,
 * so RemoteBrokerApi can tell a consumer that its queue now means another one
 * (remote-broker-api.ts, the layout fence).
 */
import { PERM_READ, PERM_WRITE, type TopicRouteData } from '../protocol/route-data.js';

export interface LayoutEntry {
  brokerName: string;
  /** the first global id of this group's queues */
  base: number;
  readQueues: number;
  writeQueues: number;
  perm: number;
}

export interface LocalQueue {
  brokerName: string;
  queueId: number;
}

export class QueueLayout {
  readonly entries: readonly LayoutEntry[];
  readonly total: number;
  readonly signature: string;
  private readonly byName: Map<string, LayoutEntry>;

  private constructor(readonly topic: string, entries: LayoutEntry[]) {
    this.entries = entries;
    this.total = entries.reduce((n, e) => n + e.readQueues, 0);
    this.signature = entries.map((e) => `${e.brokerName}:${e.readQueues}`).join(',');
    this.byName = new Map(entries.map((e) => [e.brokerName, e]));
  }

  static fromRoute(topic: string, route: TopicRouteData): QueueLayout {
    const names = new Set(route.brokerDatas.map((b) => b.brokerName));
    const datas = route.queueDatas
      .filter((q) => names.has(q.brokerName) && (q.perm & PERM_READ) !== 0 && q.readQueueNums > 0)
      .sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));
    let base = 0;
    const entries: LayoutEntry[] = [];
    for (const q of datas) {
      entries.push({ brokerName: q.brokerName, base, readQueues: q.readQueueNums, writeQueues: Math.min(q.writeQueueNums, q.readQueueNums), perm: q.perm });
      base += q.readQueueNums;
    }
    return new QueueLayout(topic, entries);
  }

  entry(brokerName: string): LayoutEntry | undefined {
    return this.byName.get(brokerName);
  }

  /** global id → the group's queue; undefined beyond the space */
  locate(globalQueueId: number): LocalQueue | undefined {
    if (!Number.isInteger(globalQueueId) || globalQueueId < 0) return undefined;
    for (const e of this.entries) {
      if (globalQueueId < e.base + e.readQueues) return { brokerName: e.brokerName, queueId: globalQueueId - e.base };
    }
    return undefined;
  }

  /** the group's queue → global id; undefined when the group or queue is not in the layout */
  globalId(brokerName: string, queueId: number): number | undefined {
    const e = this.byName.get(brokerName);
    return e && queueId >= 0 && queueId < e.readQueues ? e.base + queueId : undefined;
  }

  /** the write queues of writable groups, as global ids (RocketMQ's TopicPublishInfo queue list) */
  writeQueues(isWritable: (brokerName: string) => boolean): number[] {
    const out: number[] = [];
    for (const e of this.entries) {
      if ((e.perm & PERM_WRITE) === 0 || !isWritable(e.brokerName)) continue;
      for (let q = 0; q < e.writeQueues; q++) out.push(e.base + q);
    }
    return out;
  }
}
