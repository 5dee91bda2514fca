/**
 * Topics of a cluster as BrokerApi shows them (remote-broker-api.ts): one TopicInfo
 * whose `queueCount` is the sum over the broker groups (queue-layout.ts).
 *
 * createTopic spreads the asked queue count over the groups that have a master, so a
 * topic of n queues has n queues in all (RocketMQ's `updateTopic -c` gives each broker n:
 * the kernel's contract is the total). The split is even, the first `n % groups` groups
 * (from a start picked by the topic's hash) get one more, and a group that would get 0
 * is left out: a one-queue topic lives on one group. An auto-created topic gets the
 * brokers' default queue count (announced in the route of RocketMQ's TBW102 topic), in
 * total, the same way. The route of a topic just created is known here at once and
 * replaced by the nameservers' at the next refresh.
 */
import { hashString } from '../../kernel/common/hash.js';
import type { TopicInfo, TopicStats } from '../../kernel/client/broker-api.js';
import { KernelError, KernelErrorCode } from '../../kernel/errors.js';
import { isSystemTopic, validateTopicName } from '../../kernel/broker/topic-names.js';
import { AUTO_CREATE_TOPIC_KEY } from '../broker-server/broker-registration.js';
import { jsonBody } from '../protocol/kernel-bodies.js';
import { PERM_READ, PERM_WRITE, type BrokerData, type TopicRouteData } from '../protocol/route-data.js';
import { createRequest } from '../remoting/command.js';
import { KernelRequestCode, RequestCode, ResponseCode } from '../remoting/request-codes.js';
import type { ClusterView } from './cluster-view.js';
import { parseJsonBody } from './json-response.js';
import type { QueueLayout } from './queue-layout.js';

const DEFAULT_QUEUE_COUNT = 8;

interface Detail {
  order: boolean;
  createdAt: number;
  at: number;
}

export class RemoteTopics {
  private readonly details = new Map<string, Detail>();
  private readonly creating = new Map<string, Promise<QueueLayout>>();

  constructor(private readonly view: ClusterView, private readonly detailTtlMs: number) {}

  async get(topic: string): Promise<TopicInfo | undefined> {
    const layout = await this.view.layout(topic);
    if (!layout) return undefined;
    return this.info(layout);
  }

  /** the topic's layout; auto-created unless `noAutoCreate` (then TOPIC_NOT_FOUND) */
  async forWrite(topic: string, noAutoCreate?: boolean): Promise<QueueLayout> {
    const layout = await this.view.layout(topic);
    if (layout) return layout;
    validateTopicName(topic);
    if (isSystemTopic(topic)) throw new KernelError(KernelErrorCode.InvalidTopic, `topic ${JSON.stringify(topic)} is reserved for the broker`);
    const auto = await this.view.route(AUTO_CREATE_TOPIC_KEY);
    if (noAutoCreate || !auto || auto.queueDatas.length === 0) {
      throw new KernelError(KernelErrorCode.TopicNotFound, `topic ${JSON.stringify(topic)} does not exist and auto-create is off`);
    }
    return this.createOnce(topic, Math.max(...auto.queueDatas.map((q) => q.writeQueueNums)), false);
  }

  async create(req: { topic: string; queueCount?: number; order?: boolean }): Promise<TopicInfo> {
    validateTopicName(req.topic);
    if (isSystemTopic(req.topic)) throw new KernelError(KernelErrorCode.InvalidTopic, `topic ${JSON.stringify(req.topic)} is reserved for the broker`);
    const n = req.queueCount ?? DEFAULT_QUEUE_COUNT;
    if (!Number.isInteger(n) || n < 1) throw new KernelError(KernelErrorCode.InvalidArgument, `queue count must be a positive integer, got ${n}`);
    const existing = await this.view.layout(req.topic);
    if (existing) {
      // as the kernel: creating an existing topic keeps at least its queues (and may set `order`)
      const extra = Math.max(0, n - existing.total);
      const counts = new Map<string, number>();
      existing.entries.forEach((e, i) => counts.set(e.brokerName, e.readQueues + Math.floor(extra / existing.entries.length) + (i < extra % existing.entries.length ? 1 : 0)));
      await this.applyOnGroups(req.topic, counts, req.order);
      this.details.delete(req.topic);
      return this.info((await this.view.layout(req.topic)) ?? existing);
    }
    return this.info(await this.createOnce(req.topic, n, req.order));
  }

  async delete(topic: string): Promise<boolean> {
    let existed = false;
    const groups = await this.view.groups();
    await Promise.all(groups.flatMap((g) => Object.values(g.brokerAddrs).map(async (addr) => {
      const response = await this.view.invokeOk(addr, createRequest({ code: RequestCode.DELETE_TOPIC_IN_BROKER, header: { topic } })).catch(() => undefined);
      if (response?.extFields.existed === 'true') existed = true;
    })));
    // nameservers: best effort (brokers re-register without the topic anyway)
    await Promise.all(this.view.routes.nameServerAddresses.map((ns) =>
      this.view.client.invoke(ns, createRequest({ code: RequestCode.DELETE_TOPIC_IN_NAMESRV, header: { topic } }), this.view.requestTimeoutMs).catch(() => undefined)));
    this.view.routes.forget(topic);
    this.details.delete(topic);
    return existed;
  }

  async list(): Promise<TopicInfo[]> {
    const merged = new Map<string, TopicInfo>();
    const groups = await this.view.groups();
    const lists = await Promise.all(groups.map((g) => this.view.invokeRead(g.brokerName, createRequest({ code: KernelRequestCode.KERNEL_TOPIC_INFO, body: jsonBody({}) }))
      .then((r) => parseJsonBody<TopicInfo[]>(r, 'topic list'))));
    for (const list of lists) {
      for (const t of list) {
        const m = merged.get(t.topic);
        if (!m) merged.set(t.topic, { ...t });
        else Object.assign(m, { queueCount: m.queueCount + t.queueCount, perm: m.perm | t.perm, order: m.order || t.order, createdAt: Math.min(m.createdAt, t.createdAt) });
      }
    }
    return [...merged.values()].sort((a, b) => a.topic.localeCompare(b.topic));
  }

  async stats(topic: string): Promise<TopicStats | undefined> {
    const layout = await this.view.layout(topic);
    if (!layout) return undefined;
    const info = await this.info(layout);
    const parts = await Promise.all(layout.entries.map((e) => this.view.invokeRead(e.brokerName, createRequest({ code: KernelRequestCode.KERNEL_TOPIC_STATS, body: jsonBody({ topic }) }), undefined, [ResponseCode.TOPIC_NOT_EXIST])
      .then((r) => ({ e, stats: r.code === ResponseCode.SUCCESS ? parseJsonBody<TopicStats>(r, 'topic stats') : undefined }))));
    const queues: TopicStats['queues'] = [];
    let messageCount = 0;
    for (const { e, stats } of parts) {
      for (let q = 0; q < e.readQueues; q++) {
        const s = stats?.queues.find((x) => x.queueId === q);
        queues.push({ queueId: e.base + q, minOffset: s?.minOffset ?? 0, maxOffset: s?.maxOffset ?? 0, lastStoreTimestamp: s?.lastStoreTimestamp ?? 0 });
      }
      messageCount += stats?.messageCount ?? 0;
    }
    return { ...info, queues, messageCount };
  }

  /** order and creation time come from a broker, cached; the queue count from the layout */
  async info(layout: QueueLayout): Promise<TopicInfo> {
    const perm = layout.entries.reduce((p, e) => p | e.perm, 0) & (PERM_READ | PERM_WRITE);
    let detail = this.details.get(layout.topic);
    if (!detail || Date.now() - detail.at > this.detailTtlMs) {
      detail = await this.fetchDetail(layout).catch(() => detail ?? { order: false, createdAt: 0, at: 0 });
      this.details.set(layout.topic, detail);
    }
    return { topic: layout.topic, queueCount: layout.total, perm, order: detail.order, createdAt: detail.createdAt };
  }

  private async fetchDetail(layout: QueueLayout): Promise<Detail> {
    let last: unknown;
    for (const e of layout.entries) {
      try {
        const r = await this.view.invokeRead(e.brokerName, createRequest({ code: KernelRequestCode.KERNEL_TOPIC_INFO, body: jsonBody({ topic: layout.topic }) }));
        const t = parseJsonBody<TopicInfo>(r, 'topic info');
        return { order: t.order, createdAt: t.createdAt, at: Date.now() };
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  private createOnce(topic: string, total: number, order: boolean | undefined): Promise<QueueLayout> {
    let pending = this.creating.get(topic);
    if (!pending) {
      pending = this.createSpread(topic, total, order).finally(() => this.creating.delete(topic));
      this.creating.set(topic, pending);
    }
    return pending;
  }

  private async createSpread(topic: string, total: number, order: boolean | undefined): Promise<QueueLayout> {
    const masters = (await this.view.groups()).filter((g) => g.brokerAddrs['0'] !== undefined);
    if (masters.length === 0) throw new KernelError(KernelErrorCode.ServiceUnavailable, `no broker group with a master to create topic ${JSON.stringify(topic)} on`);
    const counts = spread(topic, total, masters.map((g) => g.brokerName));
    await this.applyOnGroups(topic, counts, order);
    const route: TopicRouteData = {
      queueDatas: [...counts].map(([brokerName, n]) => ({ brokerName, readQueueNums: n, writeQueueNums: n, perm: PERM_READ | PERM_WRITE, topicSysFlag: 0 })),
      brokerDatas: masters.filter((g) => counts.has(g.brokerName)).map((g): BrokerData => ({ ...g, brokerAddrs: { ...g.brokerAddrs } })),
      filterServerTable: {},
    };
    this.view.routes.put(topic, route);
    const layout = await this.view.layout(topic);
    if (!layout) throw new KernelError(KernelErrorCode.ServiceUnavailable, `topic ${JSON.stringify(topic)} was created but has no route`);
    return layout;
  }

  private async applyOnGroups(topic: string, counts: Map<string, number>, order: boolean | undefined): Promise<void> {
    await Promise.all([...counts].map(([brokerName, n]) => this.view.invokeMaster(brokerName, createRequest({
      code: RequestCode.UPDATE_AND_CREATE_TOPIC,
      header: { topic, defaultTopic: AUTO_CREATE_TOPIC_KEY, readQueueNums: n, writeQueueNums: n, perm: PERM_READ | PERM_WRITE, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order },
    }))));
  }
}

/** `total` queues over `groups`: even, the remainder to the groups from the topic's hash on */
export function spread(topic: string, total: number, groups: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const n = groups.length;
  const start = hashString(topic) % n;
  for (let i = 0; i < n; i++) {
    const g = groups[(start + i) % n]!;
    const count = Math.floor(total / n) + (i < total % n ? 1 : 0);
    if (count > 0) counts.set(g, count);
  }
  return counts;
}
