/**
 * RocketMQ 5 over gRPC (issue 12) with Apache's Node.js client `rocketmq-client-nodejs`,
 * unmodified: its Producer publishes, its SimpleConsumer subscribes (DESIGN.md §5,
 * RocketMQ column: adapters/rocketmq/message-map.ts).
 *
 * Publishing: tag, keys, user properties; a sharding key is the message group (a FIFO
 * message); a delay is the delivery timestamp (RocketMQ cannot delay a FIFO message, so a
 * delayed message carries no group); the fields RocketMQ has no slot for travel as the
 * reserved user properties CONTENT_TYPE, EXPIRE_AT and PATH, as the adapter maps them.
 *
 * Subscribing: one SimpleConsumer per subscription, in a consumer group of its own
 * (pub/sub) or the shared one (point-to-point), with a tag expression or an SQL92 filter,
 * receiving in a loop (long polling) and settling each message: ack, or "nack" the
 * SimpleConsumer way, by shortening its invisibility so it is redelivered through the
 * group's retry queue. How many deliveries a group gets before its dead-letter queue and
 * whether it is FIFO are the group's settings on the server in RocketMQ (mqadmin
 * updateSubGroup), so a subscription that asks for them sets its group up first through
 * the kernel, as an operator would.
 */
import { FilterExpression, Producer, SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { FilterType as RmqFilterType } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js';
import { FieldProperty } from '../../../src/adapters/rocketmq/message-map.js';
import { ConsumeFrom, MessageModel, type KernelClient } from '../../../src/kernel/index.js';
import { quietLogger, shutdownAll, startClient } from '../../../test/adapters/rocketmq/helpers.js';
import { Inbox } from './inbox.js';
import {
  fullPath, uniqueName, type Limits, type MessageSpec, type Published, type PublisherDriver, type Received, type SubscribeOptions,
  type SubscriberDriver, type Subscription,
} from './types.js';

/** long polling of one receive */
const AWAIT_MS = 1_000;
const INVISIBLE_MS = 30_000;
/** a rejected message becomes visible again (and is revived through the retry queue) after this */
const NACK_INVISIBLE_MS = 100;
const BATCH = 32;
const FIELD_PROPERTIES = new Set<string>(Object.values(FieldProperty));

function toMessage(spec: MessageSpec): ConstructorParameters<typeof import('rocketmq-client-nodejs').Message>[0] {
  const properties = new Map(Object.entries(spec.properties ?? {}));
  if (spec.contentType !== undefined) properties.set(FieldProperty.ContentType, spec.contentType);
  if (spec.ttlMs !== undefined) properties.set(FieldProperty.ExpireAt, String(Date.now() + spec.ttlMs));
  if (spec.levels?.length) properties.set(FieldProperty.Path, fullPath(spec));
  const deliverAt = spec.deliverAt ?? (spec.delayMs === undefined ? undefined : Date.now() + spec.delayMs);
  return {
    topic: spec.topic,
    body: spec.body,
    ...(spec.tag === undefined ? {} : { tag: spec.tag }),
    ...(spec.keys?.length ? { keys: spec.keys } : {}),
    ...(properties.size > 0 ? { properties } : {}),
    ...(deliverAt !== undefined ? { deliveryTimestamp: new Date(deliverAt) } : spec.shardingKey !== undefined ? { messageGroup: spec.shardingKey } : {}),
  };
}

export class RocketMqPublisher implements PublisherDriver {
  readonly name = 'RocketMQ' as const;
  readonly limits: Limits = {
    emptyBody: 'a RocketMQ 5 message has a body: the proxy answers MESSAGE_BODY_EMPTY (41302) to an empty one, and so does this server',
  };
  private started: Promise<Producer> | undefined;

  /** `endpoints`: `host:port` of the server's RocketMQ listener, known once it started */
  constructor(private readonly endpoints: () => string) {}

  private producer(): Promise<Producer> {
    this.started ??= startClient(new Producer({ endpoints: this.endpoints(), namespace: '', logger: quietLogger }));
    return this.started;
  }

  async publish(spec: MessageSpec): Promise<Published> {
    const receipt = await (await this.producer()).send(toMessage(spec));
    return { msgId: receipt.messageId };
  }

  /** one send after the other: a FIFO message group keeps the order of its sends */
  async publishAll(specs: MessageSpec[]): Promise<void> {
    const producer = await this.producer();
    for (const spec of specs) await producer.send(toMessage(spec));
  }

  async close(): Promise<void> {
    const producer = await this.started?.catch(() => undefined);
    await shutdownAll([producer]);
  }
}

function normalise(view: MessageView, member: string): Received {
  const properties: Record<string, string> = {};
  for (const [name, value] of view.properties) if (!FIELD_PROPERTIES.has(name)) properties[name] = value;
  const path = view.properties.get(FieldProperty.Path) ?? (view.tag === undefined ? view.topic : `${view.topic}/${view.tag}`);
  const received: Received = { body: view.body, keys: view.keys, properties, path, msgId: view.messageId, at: Date.now(), member };
  if (view.tag !== undefined) received.tag = view.tag;
  const contentType = view.properties.get(FieldProperty.ContentType);
  if (contentType !== undefined) received.contentType = contentType;
  const expireAt = Number(view.properties.get(FieldProperty.ExpireAt));
  if (Number.isSafeInteger(expireAt) && expireAt > 0) received.expiresAt = expireAt;
  if (view.deliveryAttempt !== undefined) received.redeliveries = view.deliveryAttempt - 1;
  return received;
}

function filterOf(o: SubscribeOptions): FilterExpression | string {
  if (o.filter?.kind === 'mqtt' || o.filter?.kind === 'destination') throw new Error(`RocketMQ subscriptions filter by tag expression or SQL92, not ${o.filter.kind}`);
  if (o.filter?.kind === 'selector') return new FilterExpression(o.filter.selector, RmqFilterType.SQL);
  if (o.filter?.kind === 'tags') return o.filter.expression;
  return o.tag ?? '*';
}

export class RocketMqSubscriber implements SubscriberDriver {
  readonly name = 'RocketMQ' as const;
  readonly limits: Limits = {};
  readonly blocked: Limits = {};
  /** members of a group share it by pop, without rebalancing */
  readonly rebalanceMs = 0;

  constructor(private readonly endpoints: () => string, private readonly kernel: () => KernelClient) {}

  /** the operator's settings of the group (RocketMQ: mqadmin updateSubGroup -r <retries> -o <orderly>) */
  private async configureGroup(group: string, o: SubscribeOptions): Promise<void> {
    if (o.maxDeliveries === undefined && !o.ordered) return;
    const api = this.kernel().brokerApi;
    const clientId = uniqueName('rocketmq-setup');
    await api.heartbeat({
      clientId, group, messageModel: MessageModel.Clustering, consumeFrom: ConsumeFrom.Last, subscriptions: [],
      ...(o.maxDeliveries === undefined ? {} : { maxReconsumeTimes: o.maxDeliveries - 1 }),
      ...(o.ordered ? { orderly: true } : {}),
    });
    await api.unregisterClient({ clientId, group });
  }

  async subscribe(o: SubscribeOptions): Promise<Subscription> {
    const group = o.group ?? uniqueName('rmq');
    const member = o.member ?? 'rocketmq';
    const inbox = new Inbox();
    await this.configureGroup(group, o);
    const consumer = await startClient(new SimpleConsumer({
      endpoints: this.endpoints(), namespace: '', logger: quietLogger, consumerGroup: group,
      subscriptions: new Map([[o.topic, filterOf(o)]]), awaitDuration: AWAIT_MS,
    }));
    const settle = async (view: MessageView, m: Received): Promise<void> => {
      if (o.settle?.(m) === 'nack') await consumer.changeInvisibleDuration(view, NACK_INVISIBLE_MS);
      else await consumer.ack(view);
    };
    let running = false;
    let loop: Promise<void> = Promise.resolve();
    const start = (): void => {
      running = true;
      loop = (async () => {
        while (running) {
          try {
            const views = await consumer.receive(BATCH, INVISIBLE_MS);
            const got = views.map((view) => ({ view, m: normalise(view, member) }));
            for (const { m } of got) inbox.push(m);
            // one RPC per message (the client acks one by one), all in flight together: the kernel makes
            // each settlement durable before it answers, and concurrent ones share the write
            await Promise.all(got.map(({ view, m }) => settle(view, m)));
          } catch (err) {
            inbox.error(`rocketmq: ${(err as Error).message}`);
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      })();
    };
    start();
    const stop = async (): Promise<void> => {
      running = false;
      await loop;
    };
    return {
      inbox, group, pause: stop, resume: async () => start(),
      close: async () => {
        await stop();
        await shutdownAll([consumer]);
      },
    };
  }
}
