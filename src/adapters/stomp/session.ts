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
  DestinationKind, filterFor, groupNames, isRemoteTemporary, isTemporary, parseDestination, remoteTempDestination, type Destination,
} from './destination.js';
import { StompError, StompErrorCode } from './errors.js';
import type { StompFrame, StompVersion } from './frame.js';
import { messageFromSend } from './headers.js';
import { parseAckMode, parsePrefetch, Subscription, type Delivery, type DeliveryHost, type GroupHandoff } from './subscription.js';
import { AckLedger } from './acks.js';
import type { TransactionalSends } from './transactional-sends.js';
import { Transactions, type Transaction } from './transactions.js';

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
  /** groups of the durable subscriptions open on this gateway: one connection each at a time */
  durables: Set<string>;
  /** SENDs of transactions, as kernel half messages */
  transactional: TransactionalSends;
  /** a COMMIT this long after its BEGIN is refused (the broker may have rolled its sends back) */
  maxTransactionMs: number;
  deliver(frame: StompFrame): Promise<boolean>;
  onDropped(reason: string): void;
}

export class Session implements DeliveryHost {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly acks: AckLedger;
  private readonly transactions = new Transactions();
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

  /** the CONNECT client-id, for the admin API */
  get clientId(): string | undefined {
    return this.o.clientId;
  }

  /** the active subscriptions, for the admin API */
  subscriptionList(): Subscription[] {
    return [...this.subscriptions.values()];
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
    this.authorize('publish', destination);
    if (isTemporary(destination.kind)) await this.ensureTemp(destination.topic);
    const producer = isRemoteTemporary(destination.kind) ? this.o.tempProducer : this.o.producer;
    const message = messageFromSend(frame, { destination, replyTo: await this.replyTo(frame), now: Date.now() });
    return { producer, message };
  }

  /** a SEND: stored now, or as a half message its transaction's COMMIT makes visible */
  async send(frame: StompFrame): Promise<void> {
    const txId = frame.headers.get('transaction');
    const tx = txId === undefined ? undefined : this.transactions.get(txId);
    const prepared = await this.prepare(frame);
    if (tx) await this.sendHalf(tx, prepared);
    else await this.store([prepared]);
  }

  private async sendHalf(tx: Transaction, send: PreparedSend): Promise<void> {
    const sequence = tx.sendCount++;
    const toTemp = send.producer === this.o.tempProducer;
    try {
      tx.halves.push(await this.o.transactional.sendHalf(tx.key, sequence, send.message, toTemp));
    } catch (err) {
      if (toTemp && isKernelError(err, KernelErrorCode.TopicNotFound)) {
        this.o.onDropped(`temporary queue ${send.message.topic} no longer exists`);
        return;
      }
      throw err;
    }
  }

  /**
   * Stores sends in order. Consecutive ones for the same topic, sharding key and persistence go as
   * one kernel batch (one queue, in order), so a client streaming SENDs pays one store
   * round trip per batch rather than per message.
   */
  async store(sends: readonly PreparedSend[]): Promise<void> {
    let batch: PreparedSend[] = [];
    let bytes = 0;
    for (const send of sends) {
      const head = batch[0];
      if (head && (head.producer !== send.producer || head.message.topic !== send.message.topic
        || head.message.shardingKey !== send.message.shardingKey || head.message.systemProperties?.WAIT !== send.message.systemProperties?.WAIT
        || batch.length >= MAX_BATCH || bytes >= MAX_BATCH_BYTES)) {
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

  /** reply-to: a temporary queue or topic of this connection becomes the name others can send to */
  private async replyTo(frame: StompFrame): Promise<string | undefined> {
    const raw = frame.headers.get('reply-to');
    if (raw === undefined || !(raw.startsWith('/temp-queue/') || raw.startsWith('/temp-topic/'))) return raw;
    const dest = parseDestination(raw, this.o.token);
    // the replies are this connection's to consume
    this.authorize('subscribe', dest);
    await this.ensureTemp(dest.topic);
    return remoteTempDestination(dest.topic);
  }

  /** the kernel topic of a temporary queue or topic of this connection, removed when it closes */
  private async ensureTemp(topic: string): Promise<void> {
    if (this.tempTopics.has(topic)) return;
    // one queue: a temporary destination keeps its order
    await this.o.kernel.admin.createTopic({ topic, queueCount: 1 });
    this.tempTopics.add(topic);
  }

  private authorize(action: 'publish' | 'subscribe', destination: Destination): void {
    if (!this.o.auth.authorize(this.o.principal, action, destination.topic, destination.aclPath)) {
      throw new StompError(StompErrorCode.Forbidden, `not allowed to ${action} to ${destination.raw}`,
        `user ${JSON.stringify(this.o.principal?.username ?? 'anonymous')} lacks the ${action} right on ${destination.aclPath}`);
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
    const placement = this.placement(destination, durableName);
    if (isTemporary(destination.kind)) await this.ensureTemp(destination.topic);
    if (filter?.type === FilterType.Sql92) await this.checkSelector(destination, filter);
    if (durableName !== undefined) this.claimDurable(placement.group, durableName);
    const subscription = new Subscription({
      id, destination, ackMode, filter, prefetch, durableName, ...placement,
      rebalanceIntervalMs: this.o.rebalanceIntervalMs, pullSuspendMs: this.o.pullSuspendMs, createTopic: this.o.createTopicsOnSubscribe,
    }, this.o.kernel, this, this.o.handoff);
    this.subscriptions.set(id, subscription);
    try {
      await subscription.start();
    } catch (err) {
      this.subscriptions.delete(id);
      this.releaseDurable(subscription);
      await subscription.stop().catch(() => undefined);
      throw err;
    }
    // the connection went away while the consumer was starting
    if (this.closed) this.background(subscription.stop());
  }

  /** as ActiveMQ Artemis: a durable subscription has one subscriber at a time */
  private claimDurable(group: string, name: string): void {
    if (this.o.durables.has(group)) {
      throw new StompError(StompErrorCode.DurableSubscriptionInUse, `durable subscription ${JSON.stringify(name)} is in use`,
        `client-id ${JSON.stringify(this.o.clientId)} already has a connection subscribed to ${JSON.stringify(name)}`);
    }
    this.o.durables.add(group);
  }

  /** a stopping subscription lets go of its durable name at once; a successor waits for it to leave the group (GroupHandoff) */
  private releaseDurable(subscription: Subscription): void {
    if (subscription.spec.durableName !== undefined) this.o.durables.delete(subscription.spec.group);
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
        this.authorize('subscribe', destination);
        return { group: destination.topic, consumeFrom: ConsumeFrom.First, ephemeralGroup: false };
      case DestinationKind.TempTopic:
        this.authorize('subscribe', destination);
        return { group: groupNames.topic(this.o.token, ++this.topicSequence), consumeFrom: ConsumeFrom.Last, ephemeralGroup: true };
      case DestinationKind.RemoteTempQueue:
      case DestinationKind.RemoteTempTopic:
        throw new StompError(StompErrorCode.InvalidDestination, 'only the connection that owns a temporary destination subscribes to it',
          `subscribe to /temp-queue/<name> or /temp-topic/<name> on the connection that created it, not to ${destination.raw}`);
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
      this.releaseDurable(subscription);
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

  // ---- BEGIN / COMMIT / ABORT (STOMP 1.2 §BEGIN, §COMMIT, §ABORT) ----

  begin(txId: string): void {
    const key = this.o.transactional.begin();
    try {
      this.transactions.begin(txId, key);
    } catch (err) {
      this.o.transactional.end(key);
      throw err;
    }
  }

  async commit(txId: string): Promise<void> {
    const tx = this.transactions.take(txId);
    const age = Date.now() - tx.begunAt;
    if (age >= this.o.maxTransactionMs) {
      await this.rollback(tx);
      throw new StompError(StompErrorCode.TransactionExpired, `transaction ${JSON.stringify(txId)} expired`,
        `it was open for ${age} ms; a transaction commits within ${this.o.maxTransactionMs} ms of its BEGIN, or is rolled back`);
    }
    try {
      await this.o.transactional.commit(tx.key, tx.halves);
    } finally {
      this.o.transactional.end(tx.key);
    }
    for (const { delivery, status } of tx.acks) {
      if (!delivery.isSettled) delivery.subscription.settle(delivery, status);
    }
  }

  async abort(txId: string): Promise<void> {
    await this.rollback(this.transactions.take(txId));
  }

  private async rollback(tx: Transaction): Promise<void> {
    try {
      await this.o.transactional.rollback(tx.halves);
    } finally {
      this.o.transactional.end(tx.key);
    }
  }

  // ---- end ----

  /** aborts open transactions, stops subscriptions, removes temporary queues */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.transactions.takeAll().map((tx) => this.rollback(tx)));
    const subscriptions = [...this.subscriptions.values()];
    this.subscriptions.clear();
    for (const s of subscriptions) this.releaseDurable(s);
    for (const s of subscriptions) this.background(s.stop());
    await Promise.allSettled([...this.stopping]);
    await Promise.allSettled([...this.tempTopics].map(async (topic) => {
      await this.removeGroup(topic);
      await this.o.kernel.admin.deleteTopic(topic);
    }));
  }
}
