/**
 * One STOMP subscription = one kernel push consumer (DESIGN.md §5).
 *
 * The consumer calls the listener for each message; the listener writes a MESSAGE
 * frame and returns a promise the subscription settles:
 * - ack:auto (STOMP 1.2 §SUBSCRIBE ack Header) → CONSUME_SUCCESS once the socket took
 *   the frame (so a slow reader holds the consumer back instead of filling memory);
 * - client / client-individual → CONSUME_SUCCESS on ACK, RECONSUME_LATER on NACK (the
 *   kernel then redelivers through the group's retry topic, and past the maximum
 *   reconsume count moves the message to the dead-letter topic); a NACKed message of a
 *   JMSXGroupID group is redelivered in place instead, so its group keeps its order.
 * `consumeConcurrency = prefetch` makes the kernel hand over at most `prefetch`
 * unsettled messages (prefetch-count / activemq.prefetchSize).
 *
 * When the subscription ends, unacknowledged messages go back with
 * RECONSUME_IMMEDIATELY (see stop). A group only this subscription used (non-durable /topic/) is deleted
 * instead, with its retry topic.
 */
import {
  ConsumeFrom, ConsumeStatus, type ConsumeContext, type FilterSpec, type KernelClient, type PushConsumer, type StoredMessage,
} from '../../kernel/index.js';
import { levelsMatch, messageLevels, type Destination } from './destination.js';
import { StompError, StompErrorCode } from './errors.js';
import type { StompFrame } from './frame.js';
import { messageHeaders } from './headers.js';

const RETRY_TOPIC_PREFIX = '%RETRY%';
/** the kernel's default retry limit of a group, when the group cannot be read */
const DEFAULT_MAX_RECONSUME_TIMES = 16;
/** how long a stopping consumer waits for hand-backs before it commits */
const STOP_DRAIN_MS = 1_000;

/**
 * Subscriptions of this adapter still leaving a group. A new member of the same group
 * starts only after they left: it then reads from the offsets they committed and gets
 * their unacknowledged messages through the retry topic, marked redelivered, instead
 * of reading them again from the queue while the old member lets go.
 */
export class GroupHandoff {
  private readonly leaving = new Map<string, Set<Promise<void>>>();

  add(group: string, stopped: Promise<void>): void {
    let set = this.leaving.get(group);
    if (!set) this.leaving.set(group, (set = new Set()));
    set.add(stopped);
    void stopped.catch(() => undefined).finally(() => {
      set!.delete(stopped);
      if (set!.size === 0 && this.leaving.get(group) === set) this.leaving.delete(group);
    });
  }

  async wait(group: string): Promise<void> {
    const set = this.leaving.get(group);
    if (set) await Promise.allSettled([...set]);
  }
}

export const AckMode = { Auto: 'auto', Client: 'client', ClientIndividual: 'client-individual' } as const;
export type AckMode = (typeof AckMode)[keyof typeof AckMode];

export interface SubscriptionSpec {
  id: string;
  destination: Destination;
  ackMode: AckMode;
  group: string;
  consumeFrom: ConsumeFrom;
  filter: FilterSpec | undefined;
  prefetch: number;
  /** the durable subscription name, when durable */
  durableName: string | undefined;
  /** a group nobody else will use again: deleted when the subscription ends */
  ephemeralGroup: boolean;
  rebalanceIntervalMs: number;
  /** long-poll wait of the consumer's pulls; bounds how long stopping takes */
  pullSuspendMs: number;
  /** create the kernel topic when it does not exist yet */
  createTopic: boolean;
}

/** What a subscription needs from its connection. */
export interface DeliveryHost {
  nextAckId(): string;
  /** writes a MESSAGE frame; resolves false when the connection is gone */
  deliver(frame: StompFrame): Promise<boolean>;
  track(delivery: Delivery): void;
  untrack(delivery: Delivery): void;
}

export class Delivery {
  private settled = false;

  constructor(
    readonly ackId: string,
    /** the message as this delivery showed it (reconsumeTimes counts in-place redeliveries) */
    readonly message: StoredMessage,
    readonly context: ConsumeContext,
    readonly subscription: Subscription,
    private readonly resolve: (status: ConsumeStatus) => void,
  ) {}

  get msgId(): string {
    return this.message.msgId;
  }

  get isSettled(): boolean {
    return this.settled;
  }

  settle(status: ConsumeStatus): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(status);
  }

  /** the same kernel hand-over, shown again under a new ack id */
  again(ackId: string): Delivery {
    this.settled = true;
    const message = { ...this.message, reconsumeTimes: this.message.reconsumeTimes + 1 };
    return new Delivery(ackId, message, this.context, this.subscription, this.resolve);
  }
}

const MAX_PREFETCH = 65_535;

export function parseAckMode(value: string | undefined): AckMode {
  if (value === undefined || value === '') return AckMode.Auto;
  if (value === AckMode.Auto || value === AckMode.Client || value === AckMode.ClientIndividual) return value;
  throw new StompError(StompErrorCode.InvalidHeader, `invalid ack header ${JSON.stringify(value.slice(0, 40))}`,
    'ack is auto, client or client-individual (STOMP 1.2 §SUBSCRIBE ack Header)');
}

export function parsePrefetch(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value.trim()) || Number(value) < 1) {
    throw new StompError(StompErrorCode.InvalidHeader, `invalid prefetch ${JSON.stringify(value.slice(0, 40))}`, 'prefetch-count is a positive integer');
  }
  return Math.min(Number(value), MAX_PREFETCH);
}

export class Subscription {
  /** unsettled deliveries in delivery order (client mode acks are cumulative over it) */
  private readonly unacked: Delivery[] = [];
  /** messages the consumer handed over that never reached the client (see stop) */
  private held: Array<() => void> = [];
  private consumer: PushConsumer | undefined;
  private closed = false;
  private consumerStopped = false;
  private stopped: Promise<void> | undefined;
  /** the group's redeliveries before its dead-letter topic (read at start) */
  private maxReconsumeTimes = DEFAULT_MAX_RECONSUME_TIMES;
  delivered = 0;

  constructor(
    readonly spec: SubscriptionSpec,
    private readonly kernel: KernelClient,
    private readonly host: DeliveryHost,
    private readonly handoff: GroupHandoff,
  ) {}

  get id(): string {
    return this.spec.id;
  }

  get inFlight(): number {
    return this.unacked.length;
  }

  async start(): Promise<void> {
    const { spec } = this;
    await this.handoff.wait(spec.group);
    // a consumer picks up a topic created later only at its next rebalance: declare it
    // now (as ActiveMQ and RabbitMQ create destinations on subscribe)
    if (spec.createTopic && !(await this.kernel.brokerApi.getTopic(spec.destination.topic))) {
      await this.kernel.admin.createTopic({ topic: spec.destination.topic });
    }
    this.consumer = this.kernel.createPushConsumer({
      group: spec.group,
      pullSuspendMs: spec.pullSuspendMs,
      consumeFrom: spec.consumeFrom,
      consumeConcurrency: spec.prefetch,
      pullBatchSize: Math.min(128, spec.prefetch),
      rebalanceIntervalMs: spec.rebalanceIntervalMs,
      protocol: 'stomp',
    });
    this.consumer.subscribe(spec.destination.topic, spec.filter);
    await this.consumer.start((message, context) => this.onMessage(message, context));
    // not awaited: the RECEIPT of SUBSCRIBE goes before the first MESSAGE; a NACK comes later
    void this.kernel.brokerApi.getGroup(spec.group).then((group) => {
      if (group) this.maxReconsumeTimes = group.maxReconsumeTimes;
    }, () => undefined);
  }

  private async onMessage(message: StoredMessage, context: ConsumeContext): Promise<ConsumeStatus> {
    if (this.closed) return this.hold();
    // same topic and tag, deeper levels differ: not this destination
    if (!levelsMatch(this.spec.destination.levels, messageLevels(message))) return ConsumeStatus.Success;
    const auto = this.spec.ackMode === AckMode.Auto;
    if (auto) {
      if (!(await this.host.deliver(this.frameOf(message, undefined)))) return this.hold();
      this.delivered++;
      return ConsumeStatus.Success;
    }
    let resolve!: (status: ConsumeStatus) => void;
    const settled = new Promise<ConsumeStatus>((r) => (resolve = r));
    const delivery = new Delivery(this.host.nextAckId(), message, context, this, resolve);
    await this.send(delivery);
    return settled;
  }

  private frameOf(message: StoredMessage, ackId: string | undefined): StompFrame {
    return {
      command: 'MESSAGE',
      headers: messageHeaders(message, { destination: this.spec.destination.raw, subscriptionId: this.spec.id, ackId }),
      body: message.body,
    };
  }

  /** writes a delivery that waits for its ACK or NACK */
  private send(delivery: Delivery): Promise<boolean> {
    this.unacked.push(delivery);
    this.host.track(delivery);
    this.delivered++;
    return this.host.deliver(this.frameOf(delivery.message, delivery.ackId));
  }

  /**
   * A message that did not reach the client stays unresolved until the consumer has
   * stopped: the offset it commits then stays before it, and the group's next reader
   * gets it from the queue, as if it had never been handed over.
   */
  private hold(): Promise<ConsumeStatus> {
    if (this.consumerStopped) return Promise.resolve(ConsumeStatus.Success);
    return new Promise((resolve) => this.held.push(() => resolve(ConsumeStatus.Success)));
  }

  /** ACK (status Success) or NACK (ReconsumeLater): cumulative in client mode (STOMP 1.2 §SUBSCRIBE ack Header) */
  settle(delivery: Delivery, status: ConsumeStatus, cumulative = this.spec.ackMode === AckMode.Client): void {
    const index = this.unacked.indexOf(delivery);
    if (index < 0) return;
    const done = cumulative ? this.unacked.splice(0, index + 1) : this.unacked.splice(index, 1);
    for (const d of done) {
      this.host.untrack(d);
      if (status === ConsumeStatus.ReconsumeLater && d.message.shardingKey !== undefined) this.redeliverInPlace(d);
      else d.settle(status);
    }
  }

  /**
   * A NACKed message of a JMSXGroupID group is redelivered by this subscription at once,
   * before any later message of its group (they are on the same queue, which this member
   * owns), as Artemis puts a group's rolled-back message back at the head. The retry
   * topic would deliver it after the backoff, possibly to another member, out of order.
   * Past the group's retry limit it goes to the dead-letter topic.
   */
  private redeliverInPlace(delivery: Delivery): void {
    if (delivery.message.reconsumeTimes >= this.maxReconsumeTimes) {
      const { message, context } = delivery;
      void this.kernel.brokerApi.sendBack({
        group: this.spec.group, commitLogOffset: message.commitLogOffset, maxReconsumeTimes: 0, topic: context.storeTopic, queueId: context.queueId,
      }).then(() => ConsumeStatus.Success, () => ConsumeStatus.ReconsumeLater).then((status) => delivery.settle(status));
      return;
    }
    void this.send(delivery.again(this.host.nextAckId()));
  }

  /** STOMP 1.1 ACK names message-id (and subscription); the oldest unsettled delivery of that id */
  findByMessageId(msgId: string): Delivery | undefined {
    return this.unacked.find((d) => d.msgId === msgId);
  }

  /**
   * Stops delivering at once. Unacknowledged messages go back to the kernel
   * (RECONSUME_IMMEDIATELY: redelivered through the retry topic without backoff, marked redelivered, as JMS
   * redelivers a closed session's unacknowledged messages), unless nobody will read the
   * group again (`discard`, or an ephemeral group). The consumer then drains, so those
   * hand-backs finish before it commits its offsets; messages it handed over meanwhile
   * are held (see hold) and released once it stopped. The promise resolves when the
   * consumer has left its group.
   */
  stop(options: { discard?: boolean } = {}): Promise<void> {
    if (this.stopped) return this.stopped;
    this.closed = true;
    const discard = options.discard === true || this.spec.ephemeralGroup;
    const status = discard ? ConsumeStatus.Success : ConsumeStatus.ReconsumeImmediately;
    for (const d of this.unacked.splice(0)) {
      this.host.untrack(d);
      d.settle(status);
    }
    this.stopped = (async () => {
      try {
        await this.consumer?.shutdown(STOP_DRAIN_MS);
      } finally {
        this.consumerStopped = true;
        for (const release of this.held.splice(0)) release();
      }
      if (this.spec.ephemeralGroup) {
        await this.kernel.admin.deleteGroup(this.spec.group);
        // RocketMQ's retry topic of the group, created by a NACK
        await this.kernel.admin.deleteTopic(RETRY_TOPIC_PREFIX + this.spec.group);
      }
    })();
    this.handoff.add(this.spec.group, this.stopped);
    return this.stopped;
  }
}
