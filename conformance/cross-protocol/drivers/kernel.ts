/**
 * The kernel client API (src/kernel/index.ts), as an application of RocketMQ's own
 * model uses it in the embedded process: a Producer, and push consumers (clustering
 * groups; orderly when order matters; `maxReconsumeTimes` before the dead-letter
 * topic; RECONSUME_LATER to reject).
 */
import {
  ConsumeFrom, ConsumeStatus, FilterType, type FilterSpec, type KernelClient, type Message, type Producer, type PushConsumer,
  type StoredMessage,
} from '../../../src/kernel/index.js';
import { Inbox } from './inbox.js';
import {
  uniqueName, type Limits, type MessageSpec, type Published, type PublisherDriver, type Received, type SubscribeOptions,
  type SubscriberDriver, type Subscription,
} from './types.js';

/** our consumers rebalance every 200 ms */
const REBALANCE_MS = 200;

function toMessage(spec: MessageSpec): Message {
  const message: Message = { topic: spec.topic, body: spec.body };
  if (spec.tag !== undefined) message.tag = spec.tag;
  if (spec.levels?.length) message.path = [spec.topic, spec.tag, ...spec.levels].join('/');
  if (spec.keys?.length) message.keys = spec.keys;
  if (spec.properties) message.properties = spec.properties;
  if (spec.contentType !== undefined) message.contentType = spec.contentType;
  if (spec.shardingKey !== undefined) message.shardingKey = spec.shardingKey;
  const deliverAt = spec.deliverAt ?? (spec.delayMs === undefined ? undefined : Date.now() + spec.delayMs);
  if (deliverAt !== undefined) message.deliverAt = deliverAt;
  if (spec.ttlMs !== undefined) message.expireAt = Date.now() + spec.ttlMs;
  return message;
}

export class KernelPublisher implements PublisherDriver {
  readonly name = 'kernel client' as const;
  readonly limits: Limits = {};
  private created: Producer | undefined;

  /** `kernel`: the server's in-process kernel client, known once it started */
  constructor(private readonly kernel: () => KernelClient) {}

  private get producer(): Producer {
    this.created ??= this.kernel().createProducer({ group: 'conformance-producer' });
    return this.created;
  }

  async publish(spec: MessageSpec): Promise<Published> {
    const result = await this.producer.send(toMessage(spec));
    return { msgId: result.msgId };
  }

  async publishAll(specs: MessageSpec[]): Promise<void> {
    for (const spec of specs) await this.producer.send(toMessage(spec));
  }

  async close(): Promise<void> {
    await this.created?.shutdown();
  }
}

function normalise(m: StoredMessage, member: string): Received {
  const received: Received = {
    body: m.body,
    keys: m.keys ?? [],
    properties: m.properties ?? {},
    path: m.path ?? (m.tag === undefined ? m.topic : `${m.topic}/${m.tag}`),
    msgId: m.msgId,
    redeliveries: m.reconsumeTimes,
    at: Date.now(),
    member,
  };
  if (m.tag !== undefined) received.tag = m.tag;
  if (m.contentType !== undefined) received.contentType = m.contentType;
  if (m.expireAt !== undefined) received.expiresAt = m.expireAt;
  return received;
}

function filterOf(o: SubscribeOptions): FilterSpec | undefined {
  if (o.filter?.kind === 'mqtt' || o.filter?.kind === 'destination') throw new Error(`kernel consumers filter by tag expression or SQL92, not ${o.filter.kind}`);
  if (o.filter?.kind === 'selector') return { type: FilterType.Sql92, expression: o.filter.selector };
  if (o.filter?.kind === 'tags') return { type: FilterType.Tag, expression: o.filter.expression };
  return o.tag === undefined ? undefined : { type: FilterType.Tag, expression: o.tag };
}

export class KernelSubscriber implements SubscriberDriver {
  readonly name = 'kernel client' as const;
  readonly limits: Limits = {};
  readonly blocked: Limits = {};
  readonly rebalanceMs = REBALANCE_MS * 3;

  constructor(private readonly kernel: () => KernelClient) {}

  async subscribe(o: SubscribeOptions): Promise<Subscription> {
    const group = o.group ?? uniqueName('kc');
    const member = o.member ?? 'kernel';
    const inbox = new Inbox();
    const clientId = uniqueName(`${group}-member`);
    let consumer: PushConsumer | undefined;
    const start = async (): Promise<void> => {
      consumer = this.kernel().createPushConsumer({
        group,
        clientId,
        // every cell has a fresh topic: from its first message, so nothing published after subscribe is missed
        consumeFrom: ConsumeFrom.First,
        orderly: o.ordered === true,
        rebalanceIntervalMs: REBALANCE_MS,
        pullSuspendMs: 1_000,
        ...(o.maxDeliveries === undefined ? {} : { maxReconsumeTimes: o.maxDeliveries - 1 }),
        protocol: 'conformance',
      });
      consumer.subscribe(o.topic, filterOf(o));
      await consumer.start(async (message) => {
        const m = normalise(message, member);
        inbox.push(m);
        return o.settle?.(m) === 'nack' ? ConsumeStatus.ReconsumeLater : ConsumeStatus.Success;
      });
    };
    await start();
    const stop = async (): Promise<void> => {
      await consumer?.shutdown(1_000);
      consumer = undefined;
    };
    return { inbox, group, pause: stop, resume: start, close: stop };
  }
}
