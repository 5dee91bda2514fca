/**
 * The kernel side of one STOMP connection: its subscriptions, the ledger of
 * unacknowledged deliveries, open transactions and temporary queues (Artemis'
 * StompSession). Command handlers call it; it calls the kernel client API.
 */
import {
  ConsumeFrom, ConsumeStatus, FilterType, isKernelError, KernelErrorCode,
  type FilterSpec, type KernelClient, type Message, type Producer,
} from '../../kernel/index.js';
import type { Authenticator, Principal } from '../common/auth.js';
import {
  DestinationKind, filterFor, groupNames, parseDestination, remoteTempDestination, type Destination,
} from './destination.js';
import { StompError, StompErrorCode } from './errors.js';
import type { StompFrame, StompVersion } from './frame.js';
import { messageFromSend } from './headers.js';
import { parseAckMode, parsePrefetch, Subscription, type Delivery, type DeliveryHost, type GroupHandoff } from './subscription.js';
import { AckLedger } from './acks.js';
import { Transactions } from './transactions.js';

const RETRY_TOPIC_PREFIX = '%RETRY%';
/** one kernel batch: at most this many messages, and about this many body bytes */
const MAX_BATCH = 128;
const MAX_BATCH_BYTES = 1024 * 1024;

export interface PreparedSend {
  producer: Producer;
  message: Message;
}

export interface SessionOptions {
  kernel: KernelClient;
  producer: Producer;
  /** refuses unknown topics: a reply to a temporary queue that is gone is dropped */
  tempProducer: Producer;
  auth: Authenticator;
  principal: Principal | undefined;
  version: StompVersion;
  /** unique per connection, across gateway nodes */
  token: string;
  /** CONNECT client-id: names durable subscriptions */
  clientId: string | undefined;
  defaultPrefetch: number;
  rebalanceIntervalMs: number;
  pullSuspendMs: number;
  createTopicsOnSubscribe: boolean;
  handoff: GroupHandoff;
  deliver(frame: StompFrame): Promise<boolean>;
  onDropped(reason: string): void;
}

export class Session implements DeliveryHost {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly acks: AckLedger;
  readonly transactions = new Transactions();
  private readonly tempTopics = new Set<string>();
  /** subscriptions still leaving their groups */
  private readonly stopping = new Set<Promise<void>>();
  private topicSequence = 0;
  private closed = false;

  constructor(private readonly o: SessionOptions) {
    this.acks = new AckLedger(this.subscriptions, o.version);
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  // ---- DeliveryHost ----

  nextAckId(): string {
    return this.acks.nextAckId();
  }

  deliver(frame: StompFrame): Promise<boolean> {
    return this.o.deliver(frame);
  }

  track(delivery: Delivery): void {
    this.acks.track(delivery);
  }

  untrack(delivery: Delivery): void {
    this.acks.untrack(delivery);
  }

  // ---- SEND (STOMP 1.2 §SEND) ----

  /** maps and authorizes a SEND */
  async prepare(frame: StompFrame): Promise<PreparedSend> {
    const destination = parseDestination(frame.headers.get('destination'), this.o.token);
    let producer = this.o.producer;
    if (destination.kind === DestinationKind.TempQueue) await this.ensureTempQueue(destination.topic);
    else if (destination.kind === DestinationKind.RemoteTempQueue) producer = this.o.tempProducer;
    else this.authorize('publish', destination);
    const message = messageFromSend(frame, { destination, replyTo: await this.replyTo(frame), now: Date.now() });
    return { producer, message };
  }

  /** a SEND: stored now, or when its transaction commits */
  async send(frame: StompFrame): Promise<void> {
    const prepared = await this.prepare(frame);
    const txId = frame.headers.get('transaction');
    if (txId !== undefined) {
      this.transactions.get(txId).sends.push(prepared);
      return;
    }
    await this.store([prepared]);
  }

  /**
   * Stores sends in order. Consecutive ones for the same topic and sharding key go as
   * one kernel batch (one queue, in order), so a client streaming SENDs pays one store
   * round trip per batch rather than per message.
   */
  async store(sends: readonly PreparedSend[]): Promise<void> {
    let batch: PreparedSend[] = [];
    let bytes = 0;
    for (const send of sends) {
      const head = batch[0];
      if (head && (head.producer !== send.producer || head.message.topic !== send.message.topic
        || head.message.shardingKey !== send.message.shardingKey || batch.length >= MAX_BATCH || bytes >= MAX_BATCH_BYTES)) {
        await this.storeBatch(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(send);
      bytes += send.message.body.length;
    }
    if (batch.length > 0) await this.storeBatch(batch);
  }

  private async storeBatch(batch: PreparedSend[]): Promise<void> {
    const { producer } = batch[0]!;
    try {
      if (batch.length === 1) await producer.send(batch[0]!.message);
      else await producer.sendBatch(batch.map((b) => b.message));
    } catch (err) {
      if (producer === this.o.tempProducer && isKernelError(err, KernelErrorCode.TopicNotFound)) {
        this.o.onDropped(`temporary queue ${batch[0]!.message.topic} no longer exists`);
        return;
      }
      throw err;
    }
  }

  /** reply-to: a temporary queue of this connection becomes the name others can send to */
  private async replyTo(frame: StompFrame): Promise<string | undefined> {
    const raw = frame.headers.get('reply-to');
    if (raw === undefined || !raw.startsWith('/temp-queue/')) return raw;
    const dest = parseDestination(raw, this.o.token);
    await this.ensureTempQueue(dest.topic);
    return remoteTempDestination(dest.topic);
  }

  private async ensureTempQueue(topic: string): Promise<void> {
    if (this.tempTopics.has(topic)) return;
    // one queue: a temporary queue keeps its order
    await this.o.kernel.admin.createTopic({ topic, queueCount: 1 });
    this.tempTopics.add(topic);
  }

  private authorize(action: 'publish' | 'subscribe', destination: Destination): void {
    if (!this.o.auth.authorize(this.o.principal, action, destination.topic, destination.levels.join('/'))) {
      throw new StompError(StompErrorCode.Forbidden, `not allowed to ${action} to ${destination.raw}`,
        `user ${JSON.stringify(this.o.principal?.username ?? 'anonymous')} lacks the ${action} right on ${destination.levels.join('/')}`);
    }
  }

  // ---- SUBSCRIBE / UNSUBSCRIBE (STOMP 1.2 §SUBSCRIBE, §UNSUBSCRIBE) ----

  async subscribe(frame: StompFrame): Promise<void> {
    const h = frame.headers;
    // STOMP 1.2 §SUBSCRIBE id Header: required since 1.1; 1.0 subscriptions are named by destination
    const id = h.get('id') ?? (this.o.version === '1.0' ? h.get('destination') : undefined);
    if (id === undefined) throw new StompError(StompErrorCode.MissingHeader, 'missing id header', 'SUBSCRIBE needs an id (STOMP 1.2 §SUBSCRIBE)');
    if (this.subscriptions.has(id)) throw new StompError(StompErrorCode.DuplicateSubscription, `subscription ${JSON.stringify(id)} already exists`);
    const destination = parseDestination(h.get('destination'), this.o.token);
    const ackMode = parseAckMode(h.get('ack'));
    const prefetch = parsePrefetch(h.get('prefetch-count') ?? h.get('activemq.prefetchSize'), this.o.defaultPrefetch);
    const durableName = h.get('durable-subscription-name') ?? h.get('activemq.subscriptionName');
    const filter = filterFor(destination, h.get('selector'));
    if (destination.kind === DestinationKind.TempQueue) await this.ensureTempQueue(destination.topic);
    const placement = this.placement(destination, durableName);
    if (filter?.type === FilterType.Sql92) await this.checkSelector(destination, filter);
    const subscription = new Subscription({
      id, destination, ackMode, filter, prefetch, durableName, ...placement,
      rebalanceIntervalMs: this.o.rebalanceIntervalMs, pullSuspendMs: this.o.pullSuspendMs, createTopic: this.o.createTopicsOnSubscribe,
    }, this.o.kernel, this, this.o.handoff);
    this.subscriptions.set(id, subscription);
    try {
      await subscription.start();
    } catch (err) {
      this.subscriptions.delete(id);
      await subscription.stop().catch(() => undefined);
      throw err;
    }
    // the connection went away while the consumer was starting
    if (this.closed) this.background(subscription.stop());
  }

  /** DESIGN.md §5: which group a subscription joins and where a new group starts */
  private placement(destination: Destination, durableName: string | undefined): { group: string; consumeFrom: ConsumeFrom; ephemeralGroup: boolean } {
    switch (destination.kind) {
      case DestinationKind.Queue:
        this.authorize('subscribe', destination);
        return { group: groupNames.queue(destination), consumeFrom: ConsumeFrom.First, ephemeralGroup: false };
      case DestinationKind.Topic:
        this.authorize('subscribe', destination);
        if (durableName !== undefined) {
          return { group: groupNames.durable(this.requireClientId(), durableName), consumeFrom: ConsumeFrom.Last, ephemeralGroup: false };
        }
        return { group: groupNames.topic(this.o.token, ++this.topicSequence), consumeFrom: ConsumeFrom.Last, ephemeralGroup: true };
      case DestinationKind.TempQueue:
        return { group: destination.topic, consumeFrom: ConsumeFrom.First, ephemeralGroup: false };
      case DestinationKind.RemoteTempQueue:
        throw new StompError(StompErrorCode.InvalidDestination, 'only the connection that owns a temporary queue subscribes to it',
          `subscribe to /temp-queue/<name> on the connection that created it, not to ${destination.raw}`);
    }
  }

  /** the kernel compiles the selector on a pull; a probe pull finds a bad one before any consumer starts */
  private async checkSelector(destination: Destination, filter: FilterSpec): Promise<void> {
    try {
      await this.o.kernel.brokerApi.pull({ group: 'stomp-selector-check', topic: destination.topic, queueId: 0, offset: 0, maxMessages: 1, filter, suspendMs: 0 });
    } catch (err) {
      if (isKernelError(err, KernelErrorCode.InvalidFilter)) {
        throw new StompError(StompErrorCode.InvalidSelector, 'invalid selector', err.message, { cause: err });
      }
    }
  }

  private requireClientId(): string {
    if (this.o.clientId === undefined || this.o.clientId === '') {
      throw new StompError(StompErrorCode.MissingHeader, 'durable subscriptions need a client-id',
        'send client-id on CONNECT: a durable subscription is named by client-id and subscription name');
    }
    return this.o.clientId;
  }

  async unsubscribe(frame: StompFrame): Promise<void> {
    const h = frame.headers;
    const id = h.get('id') ?? (this.o.version === '1.0' ? h.get('destination') : undefined);
    const durableName = h.get('durable-subscription-name') ?? h.get('activemq.subscriptionName');
    const subscription = id === undefined ? undefined : this.subscriptions.get(id);
    if (!subscription && durableName === undefined) {
      if (id === undefined) throw new StompError(StompErrorCode.MissingHeader, 'missing id header', 'UNSUBSCRIBE needs the id of its SUBSCRIBE');
      throw new StompError(StompErrorCode.UnknownSubscription, `no subscription ${JSON.stringify(id)}`);
    }
    if (subscription) {
      this.subscriptions.delete(subscription.id);
      // deliveries stop now; the consumer leaves its group in the background
      this.background(subscription.stop({ discard: durableName !== undefined }));
    }
    // unsubscribing with the durable name removes the durable subscription (ActiveMQ):
    // once its consumer is gone, so the removal is final when the RECEIPT is sent
    if (durableName !== undefined) {
      const group = groupNames.durable(this.requireClientId(), durableName);
      if (subscription) await subscription.stop();
      await this.removeGroup(group);
    }
  }

  private background(stopping: Promise<void>): void {
    this.stopping.add(stopping);
    void stopping.catch(() => undefined).finally(() => this.stopping.delete(stopping));
  }

  private async removeGroup(group: string): Promise<void> {
    await this.o.kernel.admin.deleteGroup(group);
    await this.o.kernel.admin.deleteTopic(RETRY_TOPIC_PREFIX + group);
  }

  // ---- ACK / NACK (STOMP 1.2 §ACK, §NACK) ----

  ack(frame: StompFrame, status: ConsumeStatus): void {
    const delivery = this.acks.find(frame);
    const txId = frame.headers.get('transaction');
    if (txId !== undefined) {
      const tx = this.transactions.get(txId);
      if (delivery) tx.acks.push({ delivery, status });
      return;
    }
    if (delivery) delivery.subscription.settle(delivery, status);
  }

  // ---- COMMIT (STOMP 1.2 §COMMIT); BEGIN and ABORT are Transactions' ----

  async commit(txId: string): Promise<void> {
    const tx = this.transactions.take(txId);
    await this.store(tx.sends);
    for (const { delivery, status } of tx.acks) {
      if (!delivery.isSettled) delivery.subscription.settle(delivery, status);
    }
  }

  // ---- end ----

  /** aborts open transactions, stops subscriptions, removes temporary queues */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.transactions.clear();
    const subscriptions = [...this.subscriptions.values()];
    this.subscriptions.clear();
    for (const s of subscriptions) this.background(s.stop());
    await Promise.allSettled([...this.stopping]);
    await Promise.allSettled([...this.tempTopics].map(async (topic) => {
      await this.removeGroup(topic);
      await this.o.kernel.admin.deleteTopic(topic);
    }));
  }
}
