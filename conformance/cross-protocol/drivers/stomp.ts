/**
 * STOMP 1.2 over TCP (DESIGN.md §5, STOMP column). Publishing: SEND to
 * `/topic/<topic>/<tag>/...` with `content-type`, `keys`, `JMSXGroupID`,
 * `AMQ_SCHEDULED_DELAY` or `deliverAt`, `expires` and one custom header per property,
 * on one connection per message group. Subscriptions use `/topic/...` (pub/sub: a
 * group of their own from "now") or `/queue/...` (point-to-point and durable: the
 * shared group that starts at the oldest unconsumed message), a `selector`, and
 * client-individual acks when the check settles deliveries itself.
 */
import { encodeName } from '../../../src/adapters/stomp/destination.js';
import type { StompFrame } from '../../../src/adapters/stomp/frame.js';
import { FAILURE_SERVER_CONFIG } from '../aspects/failures.js';
import { Inbox } from './inbox.js';
import { StompConnection } from './stomp-connection.js';
import {
  fullPath, uniqueName, type Limits, type MessageSpec, type Published, type PublisherDriver, type Received,
  type SubscribeOptions, type SubscriberDriver, type Subscription,
} from './types.js';

/** MESSAGE headers that are protocol, not user properties (adapters/stomp/headers.ts messageHeaders) */
const PROTOCOL_HEADERS = new Set([
  'destination', 'message-id', 'subscription', 'ack', 'content-type', 'content-length', 'redelivered', 'delivery-count',
  'timestamp', 'expires', 'priority', 'reply-to', 'correlation-id', 'JMSXGroupID', 'keys',
]);
/** subscriptions re-check their group every 2 s (stomp.rebalanceIntervalMs default) */
const REBALANCE_MS = 2_000;
const PUBLISH_WINDOW = 100;

function sendHeaders(spec: MessageSpec): Record<string, string | number | undefined> {
  const headers: Record<string, string | number | undefined> = { ...spec.properties, destination: `/topic/${fullPath(spec)}` };
  if (spec.contentType !== undefined) headers['content-type'] = spec.contentType;
  if (spec.keys?.length) headers.keys = spec.keys.join(' ');
  if (spec.shardingKey !== undefined) headers.JMSXGroupID = spec.shardingKey;
  if (spec.delayMs !== undefined) headers.AMQ_SCHEDULED_DELAY = spec.delayMs;
  if (spec.deliverAt !== undefined) headers.deliverAt = spec.deliverAt;
  if (spec.ttlMs !== undefined) headers.expires = Date.now() + spec.ttlMs;
  return headers;
}

export class StompPublisher implements PublisherDriver {
  readonly name = 'STOMP' as const;
  readonly limits: Limits = {};
  /** one connection per message group, as a JMS application has a session per ordered stream */
  private readonly connections = new Map<string, Promise<StompConnection>>();

  /** `port`: the server's STOMP TCP listener, known once it started */
  constructor(private readonly port: () => number) {}

  private open(shardingKey: string | undefined): Promise<StompConnection> {
    const key = shardingKey ?? '';
    let connection = this.connections.get(key);
    if (!connection) {
      connection = StompConnection.open(this.port());
      this.connections.set(key, connection);
    }
    return connection;
  }

  async publish(spec: MessageSpec): Promise<Published> {
    const connection = await this.open(spec.shardingKey);
    await connection.request('SEND', sendHeaders(spec), spec.body);
    return {};
  }

  /** pipelined SENDs, each with a receipt; frames leave in order on the group's connection */
  async publishAll(specs: MessageSpec[]): Promise<void> {
    const window: Array<Promise<void>> = [];
    for (const spec of specs) {
      const connection = await this.open(spec.shardingKey);
      const sent = connection.request('SEND', sendHeaders(spec), spec.body);
      sent.catch(() => undefined); // observed: a failure is thrown where it is awaited, never left unhandled
      window.push(sent);
      if (window.length >= PUBLISH_WINDOW) await window.shift();
    }
    await Promise.all(window);
  }

  async close(): Promise<void> {
    const connections = await Promise.allSettled([...this.connections.values()]);
    await Promise.all(connections.map((c) => (c.status === 'fulfilled' ? c.value.disconnect() : undefined)));
  }
}

function normalise(frame: StompFrame, member: string): Received {
  const h = frame.headers;
  const destination = h.get('destination') ?? '';
  const path = destination.replace(/^\/(topic|queue)\//, '');
  const received: Received = { body: frame.body, path, at: Date.now(), member, keys: [], properties: {} };
  const tag = path.split('/')[1];
  if (tag !== undefined) received.tag = tag;
  const msgId = h.get('message-id');
  if (msgId !== undefined) received.msgId = msgId;
  const contentType = h.get('content-type');
  if (contentType !== undefined) received.contentType = contentType;
  const keys = h.get('keys');
  if (keys !== undefined) received.keys = keys.split(' ').filter((k) => k !== '');
  const expires = Number(h.get('expires'));
  if (Number.isSafeInteger(expires) && expires > 0) received.expiresAt = expires; // JMS: 0 = never
  const count = Number(h.get('delivery-count'));
  if (Number.isInteger(count) && count >= 1) received.redeliveries = count - 1;
  for (const [name, value] of h) if (!PROTOCOL_HEADERS.has(name)) received.properties![name] = value;
  return received;
}

export class StompSubscriber implements SubscriberDriver {
  readonly name = 'STOMP' as const;
  readonly limits: Limits = {};
  readonly blocked: Limits = {};
  readonly rebalanceMs = REBALANCE_MS + 500;
  /** a subscription cannot choose: the server's maxReconsumeTimes (the matrix runs with the default 16, see FAILURE_SERVER_CONFIG) + 1 */
  readonly fixedDeliveries = FAILURE_SERVER_CONFIG.maxReconsumeTimes + 1;

  constructor(private readonly port: () => number) {}

  async subscribe(o: SubscribeOptions): Promise<Subscription> {
    if (o.filter && o.filter.kind !== 'selector' && o.filter.kind !== 'destination') {
      throw new Error(`STOMP subscriptions filter by destination and selector, not ${o.filter.kind}`);
    }
    const tag = o.filter?.kind === 'selector' ? o.filter.tag : o.tag;
    const path = o.filter?.kind === 'destination' ? [o.topic, ...o.filter.levels].join('/') : tag === undefined ? o.topic : `${o.topic}/${tag}`;
    // a dead-letter check needs a group that outlives the subscription: the /queue/ one
    const queue = o.group !== undefined || o.durable === true || o.maxDeliveries !== undefined;
    const destination = `${queue ? '/queue/' : '/topic/'}${path}`;
    const member = o.member ?? 'stomp';
    const inbox = new Inbox();
    const connection = await StompConnection.open(this.port());
    connection.onError = (text) => inbox.error(`stomp: ${text}`);
    const settle = o.settle;
    let id = '';
    const start = async (): Promise<void> => {
      id = uniqueName('sub');
      connection.onMessages(id, (frame) => {
        const m = normalise(frame, member);
        inbox.push(m);
        const ack = frame.headers.get('ack');
        if (settle && ack !== undefined) connection.send(settle(m) === 'ack' ? 'ACK' : 'NACK', { id: ack });
      });
      await connection.request('SUBSCRIBE', {
        id, destination, ack: settle ? 'client-individual' : 'auto',
        ...(o.filter?.kind === 'selector' ? { selector: o.filter.selector } : {}),
      });
    };
    await start();
    return {
      inbox,
      // adapters/stomp/destination.ts: the shared group of a /queue/ destination
      ...(queue ? { group: `stomp-queue-${encodeName(path)}` } : {}),
      pause: () => connection.request('UNSUBSCRIBE', { id }),
      resume: start,
      close: () => connection.disconnect(),
    };
  }
}
