/**
 * Sends over a cluster (RocketMQ's DefaultMQProducerImpl.sendDefaultImpl with
 * MQFaultStrategy), as SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE to a group's master:
 *
 * - the queue: one the caller names (global id, no failover); by the hash of the sharding
 *   key over the topic's global queues (as the embedded broker), moved to a queue of an
 *   available group when that one is avoided, unless the topic is ordered; else round
 *   robin over the write queues of available groups (latency-fault-tolerance.ts);
 * - a failed attempt (transport failure, SERVICE_NOT_AVAILABLE, FLUSH_SLAVE_TIMEOUT,
 *   SLAVE_NOT_AVAILABLE, ...) is tried again, `retryTimes` more times, on another group
 *   when there is one; every attempt updates the group's fault item;
 * - each message gets a UNIQ_KEY before the first attempt, so copies that a retry may
 *   store twice carry the same msgId (at least once, duplicates recognisable).
 */
import { hashString } from '../../kernel/common/hash.js';
import type { HalfSendResult, SendRequest, SendResult } from '../../kernel/client/broker-api.js';
import { KernelError, KernelErrorCode, isKernelError } from '../../kernel/errors.js';
import type { Message } from '../../kernel/message/message.js';
import { createUniqueId } from '../../kernel/message/msg-id.js';
import { validateMessage } from '../../kernel/message/validate-message.js';
import { AUTO_CREATE_TOPIC_KEY } from '../broker-server/broker-registration.js';
import { encodeMessageBatch } from '../protocol/message-batch.js';
import { sendHeaderV2 } from '../protocol/send-header.js';
import { SysFlag, toWireProperties } from '../protocol/wire-message.js';
import { createRequest, type RemotingCommand } from '../remoting/command.js';
import { RequestCode } from '../remoting/request-codes.js';
import type { ClusterView } from './cluster-view.js';
import type { LatencyFaultTolerance } from './latency-fault-tolerance.js';
import type { QueueLayout } from './queue-layout.js';
import type { RemoteTopics } from './remote-topics.js';

const RETRIABLE = new Set<string>([
  KernelErrorCode.ServiceUnavailable, KernelErrorCode.Timeout, KernelErrorCode.StoreWriteFailed, KernelErrorCode.StoreFull,
  KernelErrorCode.StoreClosed, KernelErrorCode.TopicNotFound,
]);

export const DEFAULT_PRODUCER_GROUP = 'DEFAULT_PRODUCER';

interface Target {
  brokerName: string;
  /** the group's own queue id */
  queueId: number;
}

interface Attempt {
  layout: QueueLayout;
  ordered: boolean;
  avoid: string | undefined;
}

export class RemoteSender {
  private readonly rotation = new Map<string, number>();

  constructor(
    private readonly view: ClusterView,
    private readonly topics: RemoteTopics,
    private readonly fault: LatencyFaultTolerance,
    private readonly retryTimes: number,
    private readonly sendTimeoutMs: number,
  ) {}

  async send(req: SendRequest): Promise<SendResult> {
    const message = stamp(req.message);
    const [result] = await this.withRetries(message.topic, req.noAutoCreate, (a) => this.pick(a, req.queueId, message.shardingKey), async (layout, t) => {
      const response = await this.invoke(t, createRequest({ code: RequestCode.SEND_MESSAGE_V2, header: sendHeaderV2(header(message, t, 0)), body: message.body }));
      return [resultOf(layout, t, message.topic, response)];
    });
    return result!;
  }

  async sendBatch(req: { topic: string; queueId?: number; messages: Message[]; noAutoCreate?: boolean }): Promise<SendResult[]> {
    if (req.messages.length === 0) return [];
    const messages = req.messages.map(stamp);
    for (const m of messages) {
      if (m.topic !== req.topic) throw new KernelError(KernelErrorCode.InvalidMessage, `a batch goes to one topic: ${JSON.stringify(m.topic)} is not ${JSON.stringify(req.topic)}`);
    }
    const body = encodeMessageBatch(messages.map((m) => ({ flag: 0, body: m.body, properties: toWireProperties(m) })));
    return this.withRetries(req.topic, req.noAutoCreate, (a) => this.pick(a, req.queueId, messages[0]!.shardingKey), async (layout, t) => {
      const h = { ...header(messages[0]!, t, 0), batch: true, properties: '' };
      const response = await this.invoke(t, createRequest({ code: RequestCode.SEND_BATCH_MESSAGE, header: sendHeaderV2(h), body }));
      const kernel = response.extFields.kernelResults;
      if (!kernel) return [resultOf(layout, t, req.topic, response)];
      return (JSON.parse(kernel) as SendResult[]).map((r) => ({ ...r, queueId: layout.globalId(t.brokerName, r.queueId) ?? r.queueId }));
    });
  }

  /** a prepared message (RocketMQ's sysFlag 0x4): the broker keeps it as a half message */
  async sendHalf(message: Message, producerGroup: string, noAutoCreate?: boolean): Promise<HalfSendResult & { brokerName: string }> {
    const m = stamp({ ...message, producerGroup });
    const [result] = await this.withRetries(m.topic, noAutoCreate, (a) => this.pick(a, undefined, m.shardingKey), async (layout, t) => {
      const response = await this.invoke(t, createRequest({ code: RequestCode.SEND_MESSAGE_V2, header: sendHeaderV2(header(m, t, SysFlag.TransactionPrepared)), body: m.body }));
      return [{ ...resultOf(layout, t, m.topic, response), transactionId: response.extFields.transactionId ?? m.uniqueId!, brokerName: t.brokerName }];
    });
    return result!;
  }

  private async withRetries<T>(topic: string, noAutoCreate: boolean | undefined, pick: (a: Attempt) => Target, run: (layout: QueueLayout, t: Target) => Promise<T[]>): Promise<T[]> {
    let avoid: string | undefined;
    let last: unknown;
    for (let i = 0; i <= this.retryTimes; i++) {
      const layout = await this.topics.forWrite(topic, noAutoCreate);
      const { order } = await this.topics.info(layout);
      const target = pick({ layout, ordered: order, avoid });
      const started = Date.now();
      try {
        const out = await run(layout, target);
        this.fault.update(target.brokerName, Date.now() - started);
        return out;
      } catch (err) {
        if (!isKernelError(err) || !RETRIABLE.has(err.code)) throw err;
        this.fault.update(target.brokerName, Date.now() - started, true);
        avoid = target.brokerName;
        last = err;
      }
    }
    throw last;
  }

  /** RocketMQ's selectOneMessageQueue, plus the sharding key and the caller's queue */
  private pick({ layout, ordered, avoid }: Attempt, queueId: number | undefined, shardingKey: string | undefined): Target {
    if (queueId !== undefined && queueId >= 0) {
      const local = layout.locate(queueId);
      if (!local) throw new KernelError(KernelErrorCode.InvalidQueue, `queue ${queueId} does not exist: topic ${layout.topic} has ${layout.total} queues`);
      return local;
    }
    const writable = (name: string): boolean => this.view.masterAddress(name) !== undefined;
    const queues = layout.writeQueues(writable);
    if (queues.length === 0) throw new KernelError(KernelErrorCode.ServiceUnavailable, `no broker group can take writes for topic ${layout.topic} now`);
    const usable = (q: number): boolean => {
      const name = layout.locate(q)!.brokerName;
      return this.fault.isAvailable(name) && name !== avoid;
    };
    if (shardingKey) {
      const home = hashString(shardingKey) % layout.total;
      if (queues.includes(home) && usable(home)) return layout.locate(home)!;
      const others = queues.filter(usable);
      // an ordered topic keeps a key on its queue whatever happens; others move while it is avoided
      if (others.length === 0 || ordered) return layout.locate(home)!;
      return layout.locate(others[hashString(shardingKey) % others.length]!)!;
    }
    const index = this.rotation.get(layout.topic) ?? Math.floor(Math.random() * queues.length);
    this.rotation.set(layout.topic, (index + 1) % 1_000_000_007);
    for (let i = 0; i < queues.length; i++) {
      const q = queues[(index + i) % queues.length]!;
      if (usable(q)) return layout.locate(q)!;
    }
    const names = [...new Set(queues.map((q) => layout.locate(q)!.brokerName))];
    const fallback = this.fault.pickOneAtLeast(names.length > 1 ? names.filter((n) => n !== avoid) : names);
    const ofFallback = queues.filter((q) => layout.locate(q)!.brokerName === fallback);
    return layout.locate(ofFallback.length > 0 ? ofFallback[index % ofFallback.length]! : queues[index % queues.length]!)!;
  }

  private async invoke(t: Target, request: RemotingCommand): Promise<RemotingCommand> {
    return this.view.invokeMaster(t.brokerName, request, this.sendTimeoutMs);
  }
}

function stamp(message: Message): Message {
  validateMessage(message);
  return { ...message, uniqueId: message.uniqueId ?? createUniqueId(), bornTimestamp: message.bornTimestamp ?? Date.now() };
}

function header(m: Message, t: Target, sysFlag: number) {
  return {
    producerGroup: m.producerGroup ?? DEFAULT_PRODUCER_GROUP, topic: m.topic, defaultTopic: AUTO_CREATE_TOPIC_KEY, defaultTopicQueueNums: 4,
    queueId: t.queueId, sysFlag, bornTimestamp: m.bornTimestamp ?? Date.now(), flag: 0, properties: toWireProperties(m), reconsumeTimes: 0,
    unitMode: false, batch: false, brokerName: t.brokerName,
  };
}

function resultOf(layout: QueueLayout, t: Target, topic: string, r: RemotingCommand): SendResult {
  const local = Number(r.extFields.queueId ?? t.queueId);
  return {
    msgId: (r.extFields.uniqMsgId ?? r.extFields.msgId ?? '').split(',')[0]!,
    topic,
    queueId: layout.globalId(t.brokerName, local) ?? local,
    queueOffset: Number(r.extFields.queueOffset ?? -1),
    commitLogOffset: Number(r.extFields.commitLogOffset ?? -1),
    storeTimestamp: Number(r.extFields.storeTimestamp ?? Date.now()),
  };
}
