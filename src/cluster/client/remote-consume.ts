/**
 * Consumption over a cluster with RocketMQ 4's requests: PULL_MESSAGE, offsets, heartbeats
 * to every broker (masters and slaves, as RocketMQ's consumers), member lists, orderly
 * locks and send-back. Queue ids are global (queue-layout.ts); each call goes to the
 * group behind the queue: reads to its master, or a slave while the master is down
 * (cluster-view.ts); offsets are read from master and slave and the larger is taken, so
 * progress committed to a slave during an outage is not handed back when the master
 * returns.
 *
 * The layout fence: a queue id names another group's queue once a topic's layout
 * changes. For each (group, topic, queue) the layout of its last offset query or pull is
 * kept; a pull under a newer layout answers `resetTo` (the group's committed offset of the
 * queue the id names now), and a commit under an older one is dropped, so a consumer never
 * carries one queue's offset into another.
 */
import type {
  CommitOffsetRequest, HeartbeatRequest, LockRequest, OffsetRequest, PullRequest, PullResult, SendBackRequest, SendResult,
} from '../../kernel/client/broker-api.js';
import { FilterType } from '../../kernel/client/broker-api.js';
import { KernelError, KernelErrorCode } from '../../kernel/errors.js';
import { GetStatus } from '../../kernel/store/results.js';
import { PullSysFlag } from '../broker-server/pull-processor.js';
import { encodeHeartbeat, messageQueueJson } from '../protocol/consumer-bodies.js';
import { jsonBody, parseFastJson } from '../protocol/fastjson.js';
import { decodeStoredRecords } from '../protocol/kernel-bodies.js';
import { createRequest } from '../remoting/command.js';
import { KernelRequestCode, RequestCode, ResponseCode } from '../remoting/request-codes.js';
import type { ClusterView } from './cluster-view.js';
import { parseJsonBody } from './json-response.js';
import type { QueueLayout } from './queue-layout.js';

const PULL_ACCEPT = [ResponseCode.PULL_NOT_FOUND, ResponseCode.PULL_RETRY_IMMEDIATELY, ResponseCode.PULL_OFFSET_MOVED, ResponseCode.TOPIC_NOT_EXIST];
const FENCE_LIMIT = 100_000;

export class RemoteConsumption {
  /** (group, topic, queue) → layout signature of its last offset query or pull */
  private readonly fence = new Map<string, string>();

  constructor(private readonly view: ClusterView) {}

  async pull(req: PullRequest): Promise<PullResult> {
    const layout = await this.view.layout(req.topic);
    if (!layout) return { status: GetStatus.NoMatchedLogicQueue, messages: [], nextBeginOffset: req.offset, minOffset: 0, maxOffset: 0 };
    const key = fenceKey(req.group, req.topic, req.queueId);
    const seen = this.fence.get(key);
    if (seen !== undefined && seen !== layout.signature) {
      const offset = await this.queryOffset({ group: req.group, topic: req.topic, queueId: req.queueId });
      return { status: GetStatus.NoMatchedMessage, messages: [], nextBeginOffset: offset, minOffset: 0, maxOffset: offset, resetTo: offset };
    }
    this.remember(key, layout);
    const local = locate(layout, req.queueId);
    const suspendMs = Math.max(0, req.suspendMs ?? 0);
    const filter = req.filter ?? { type: FilterType.Tag, expression: '*' };
    const response = await this.view.invokeRead(local.brokerName, createRequest({
      code: RequestCode.PULL_MESSAGE,
      header: {
        consumerGroup: req.group, topic: req.topic, queueId: local.queueId, queueOffset: req.offset, maxMsgNums: req.maxMessages,
        sysFlag: PullSysFlag.Subscription | (suspendMs > 0 ? PullSysFlag.Suspend : 0), commitOffset: 0, suspendTimeoutMillis: suspendMs,
        subscription: filter.expression, subVersion: 0, expressionType: filter.type,
      },
    }), suspendMs + this.view.requestTimeoutMs, PULL_ACCEPT);
    const h = response.extFields;
    if (response.code === ResponseCode.TOPIC_NOT_EXIST) return { status: GetStatus.NoMatchedLogicQueue, messages: [], nextBeginOffset: req.offset, minOffset: 0, maxOffset: 0 };
    const messages = decodeStoredRecords(response.body).map((m) => ({ ...m, queueId: req.queueId }));
    const result: PullResult = {
      status: (h.getStatus as GetStatus | undefined) ?? (messages.length > 0 ? GetStatus.Found : GetStatus.OffsetOverflowOne),
      messages,
      nextBeginOffset: Number(h.nextBeginOffset ?? req.offset),
      minOffset: Number(h.minOffset ?? 0),
      maxOffset: Number(h.maxOffset ?? 0),
    };
    if (h.resetTo !== undefined) result.resetTo = Number(h.resetTo);
    return result;
  }

  /** the larger of the master's and the slaves' answers */
  async queryOffset(req: OffsetRequest): Promise<number> {
    const layout = await this.requireLayout(req.topic);
    const local = locate(layout, req.queueId);
    this.remember(fenceKey(req.group, req.topic, req.queueId), layout);
    const request = createRequest({ code: RequestCode.QUERY_CONSUMER_OFFSET, header: { consumerGroup: req.group, topic: req.topic, queueId: local.queueId, startPosition: true, clientId: req.clientId } });
    const [first, ...others] = this.view.readAddresses(local.brokerName);
    if (!first) throw new KernelError(KernelErrorCode.ServiceUnavailable, `broker group ${local.brokerName} is not in the route`);
    const answers = await Promise.allSettled([
      this.view.invokeOk(first, request),
      ...others.map((addr) => this.view.invokeOk(addr, request, Math.max(200, Math.floor(this.view.requestTimeoutMs / 3)))),
    ]);
    const offsets = answers.flatMap((a) => (a.status === 'fulfilled' ? [Number(a.value.extFields.offset)] : []));
    if (offsets.length === 0) throw (answers[0] as PromiseRejectedResult).reason;
    return Math.max(...offsets);
  }

  async commitOffset(req: CommitOffsetRequest): Promise<void> {
    const layout = await this.requireLayout(req.topic);
    const seen = this.fence.get(fenceKey(req.group, req.topic, req.queueId));
    if (seen !== undefined && seen !== layout.signature) return; // an offset of the queue this id named before
    const local = locate(layout, req.queueId);
    await this.view.invokeRead(local.brokerName, createRequest({
      code: RequestCode.UPDATE_CONSUMER_OFFSET,
      header: { consumerGroup: req.group, topic: req.topic, queueId: local.queueId, commitOffset: req.offset, clientId: req.clientId },
    }));
  }

  async searchOffset(req: { topic: string; queueId: number; timestamp: number }): Promise<number> {
    const local = locate(await this.requireLayout(req.topic), req.queueId);
    const r = await this.view.invokeRead(local.brokerName, createRequest({ code: RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, header: { topic: req.topic, queueId: local.queueId, timestamp: req.timestamp } }));
    return Number(r.extFields.offset);
  }

  /** to every broker of every group; fails only when none took it */
  async heartbeat(req: HeartbeatRequest): Promise<void> {
    const body = jsonBody(encodeHeartbeat(req.clientId, [req]));
    const addrs = (await this.view.groups()).flatMap((g) => Object.values(g.brokerAddrs));
    const outcomes = await Promise.allSettled(addrs.map((addr) => this.view.invokeOk(addr, createRequest({ code: RequestCode.HEART_BEAT, body }))));
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (addrs.length === 0 || failed.length === addrs.length) throw failed[0]?.reason ?? new KernelError(KernelErrorCode.ServiceUnavailable, 'no broker to heartbeat');
  }

  async unregisterClient(req: { clientId: string; group: string }): Promise<void> {
    const addrs = (await this.view.groups()).flatMap((g) => Object.values(g.brokerAddrs));
    await Promise.allSettled(addrs.map((addr) => this.view.invokeOk(addr, createRequest({ code: RequestCode.UNREGISTER_CLIENT, header: { clientID: req.clientId, consumerGroup: req.group } }))));
  }

  /** the union of every group's members, sorted (the input of rebalance) */
  async groupMembers(group: string): Promise<string[]> {
    const groups = await this.view.groups();
    const lists = await Promise.allSettled(groups.map(async (g) => {
      const r = await this.view.invokeRead(g.brokerName, createRequest({ code: RequestCode.GET_CONSUMER_LIST_BY_GROUP, header: { consumerGroup: group } }), undefined, [ResponseCode.SYSTEM_ERROR]);
      if (r.code !== ResponseCode.SUCCESS) return [];
      const ids = (parseFastJson(r.body?.toString('utf8') ?? '{}') as { consumerIdList?: unknown[] }).consumerIdList ?? [];
      return ids.map(String);
    }));
    const ok = lists.filter((l): l is PromiseFulfilledResult<string[]> => l.status === 'fulfilled');
    if (groups.length > 0 && ok.length === 0) throw (lists[0] as PromiseRejectedResult).reason;
    return [...new Set(ok.flatMap((l) => l.value))].sort();
  }

  async lockQueues(req: LockRequest): Promise<number[]> {
    const layout = await this.requireLayout(req.topic);
    const locked: number[] = [];
    await Promise.all([...byGroup(layout, req.queueIds)].map(async ([brokerName, ids]) => {
      const r = await this.view.invokeMaster(brokerName, createRequest({ code: RequestCode.LOCK_BATCH_MQ, body: lockBody(req, brokerName, ids) })).catch(() => undefined);
      const ok = r ? (parseJsonBody<{ lockOKMQSet?: Array<{ queueId: number }> }>(r, 'lock').lockOKMQSet ?? []) : [];
      for (const q of ok) {
        const global = layout.globalId(brokerName, Number(q.queueId));
        if (global !== undefined) locked.push(global);
      }
    }));
    return locked.sort((a, b) => a - b);
  }

  async unlockQueues(req: LockRequest): Promise<void> {
    const layout = await this.requireLayout(req.topic);
    await Promise.allSettled([...byGroup(layout, req.queueIds)].map(([brokerName, ids]) =>
      this.view.invokeMaster(brokerName, createRequest({ code: RequestCode.UNLOCK_BATCH_MQ, body: lockBody(req, brokerName, ids) }))));
  }

  /** to the group that stores the message: the one behind the queue it was read from */
  async sendBack(req: SendBackRequest): Promise<SendResult> {
    let brokerName: string | undefined;
    if (req.topic !== undefined && req.queueId !== undefined) brokerName = locate(await this.requireLayout(req.topic), req.queueId).brokerName;
    else {
      const groups = await this.view.groups();
      if (groups.length === 1) brokerName = groups[0]!.brokerName;
    }
    if (!brokerName) throw new KernelError(KernelErrorCode.InvalidArgument, 'sendBack in a cluster of several broker groups needs the topic and queue the message was read from');
    const body = jsonBody({ group: req.group, commitLogOffset: req.commitLogOffset, maxReconsumeTimes: req.maxReconsumeTimes, delayMs: req.delayMs });
    const r = await this.view.invokeMaster(brokerName, createRequest({ code: KernelRequestCode.KERNEL_SEND_BACK, body }));
    const result = parseJsonBody<SendResult>(r, 'send back');
    const retryLayout = await this.view.layout(result.topic).catch(() => undefined);
    return { ...result, queueId: retryLayout?.globalId(brokerName, result.queueId) ?? result.queueId };
  }

  async requireLayout(topic: string): Promise<QueueLayout> {
    const layout = await this.view.layout(topic);
    if (!layout) throw new KernelError(KernelErrorCode.TopicNotFound, `topic ${JSON.stringify(topic)} does not exist`);
    return layout;
  }

  private remember(key: string, layout: QueueLayout): void {
    if (this.fence.size >= FENCE_LIMIT && !this.fence.has(key)) this.fence.clear();
    this.fence.set(key, layout.signature);
  }
}

function fenceKey(group: string, topic: string, queueId: number): string {
  return `${group}\u0000${topic}\u0000${queueId}`;
}

export function locate(layout: QueueLayout, queueId: number): { brokerName: string; queueId: number } {
  const local = layout.locate(queueId);
  if (!local) throw new KernelError(KernelErrorCode.InvalidQueue, `queue ${queueId} does not exist: topic ${layout.topic} has ${layout.total} queues`);
  return local;
}

function byGroup(layout: QueueLayout, queueIds: number[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const id of queueIds) {
    const local = layout.locate(id);
    if (!local) continue;
    out.set(local.brokerName, [...(out.get(local.brokerName) ?? []), local.queueId]);
  }
  return out;
}

function lockBody(req: LockRequest, brokerName: string, ids: number[]): Buffer {
  return jsonBody({ consumerGroup: req.group, clientId: req.clientId, onlyThisBroker: true, mqSet: ids.map((queueId) => messageQueueJson({ topic: req.topic, brokerName, queueId })) });
}
