/**
 * The common interface of the cross-protocol drivers (DESIGN.md §5): every protocol
 * publishes a `MessageSpec` in its own terms and hands what it receives back as a
 * `Received`, normalised to the kernel's vocabulary, so one aspect check runs over
 * every (publisher, subscriber) pair.
 *
 * What a protocol cannot express is declared, with the reason, in `limits` (not
 * applicable) or `blocked` (applicable, but not checkable on one shared server);
 * the matrix prints those reasons instead of skipping the cell silently.
 */
import type { Inbox } from './inbox.js';

export const PUBLISHERS = ['MQTT 3.1.1', 'MQTT 5', 'STOMP', 'HTTP publish', 'kernel client', 'RocketMQ'] as const;
export type PublisherName = (typeof PUBLISHERS)[number];
export const SUBSCRIBERS = ['MQTT 3.1.1', 'MQTT 5', 'STOMP', 'HTTP pop', 'HTTP SSE', 'HTTP webhook', 'kernel client', 'RocketMQ'] as const;
export type SubscriberName = (typeof SUBSCRIBERS)[number];

/** what an aspect may need from a protocol beyond body, tag and path */
export type Feature =
  | 'keys' | 'properties' | 'contentType' | 'delay' | 'ttl'
  /** a subscriber sees when a delivered message expires */
  | 'expiry'
  | 'pointToPoint' | 'nack' | 'deadLetter'
  /** a message with an empty body */
  | 'emptyBody';

export type Limits = Partial<Record<Feature, string>>;

/** one message as the publisher is asked to send it, in kernel terms */
export interface MessageSpec {
  /** kernel topic: the first path level */
  topic: string;
  /** the second path level */
  tag?: string;
  /** path levels below the tag (MQTT levels 3+), carried as the full path */
  levels?: string[];
  body: Buffer;
  keys?: string[];
  properties?: Record<string, string>;
  contentType?: string;
  /** message group; MQTT publishes it from a client with this id (DESIGN.md §5) */
  shardingKey?: string;
  /** relative delay: MQTT and the kernel turn it into deliverAt, STOMP sends AMQ_SCHEDULED_DELAY, HTTP delayMs */
  delayMs?: number;
  /** absolute delivery time (epoch ms): STOMP header `deliverAt`, HTTP field `deliverAt` */
  deliverAt?: number;
  ttlMs?: number;
  /** MQTT only: QoS of the PUBLISH (default 1) */
  qos?: 0 | 1;
}

/** the full path of a spec: topic[/tag[/levels...]] */
export function fullPath(spec: Pick<MessageSpec, 'topic' | 'tag' | 'levels'>): string {
  return [spec.topic, ...(spec.tag === undefined ? [] : [spec.tag]), ...(spec.levels ?? [])].join('/');
}

export interface Published {
  /** the kernel msgId, when the protocol answers with it */
  msgId?: string;
}

export interface PublisherDriver {
  readonly name: PublisherName;
  readonly limits: Limits;
  publish(spec: MessageSpec): Promise<Published>;
  /** publishes in this order, as a client of the protocol that cares about order would */
  publishAll(specs: MessageSpec[]): Promise<void>;
  close(): Promise<void>;
}

/** a delivery, normalised; fields the protocol cannot carry are undefined */
export interface Received {
  body: Buffer;
  tag?: string;
  keys?: string[];
  /** user properties as the subscriber sees them (protocol headers removed) */
  properties?: Record<string, string>;
  contentType?: string;
  /** full path: topic[/tag[/levels]] */
  path: string;
  msgId?: string;
  /** when the message expires (epoch ms), where the protocol says: MQTT 5 remaining expiry interval, STOMP `expires`, HTTP and kernel `expireAt` */
  expiresAt?: number;
  /** earlier deliveries of this message, where the protocol says (STOMP delivery-count - 1, reconsumeTimes, attempt - 1) */
  redeliveries?: number;
  /** Date.now() on arrival */
  at: number;
  /** which subscription got it (point-to-point checks) */
  member: string;
}

export type Settle = 'ack' | 'nack';

export type FilterChoice =
  /** an MQTT topic filter (wildcards) */
  | { kind: 'mqtt'; filter: string }
  /** SQL92 selector; STOMP subscribes to `/topic/<topic>/<tag>` with it */
  | { kind: 'selector'; selector: string; tag?: string }
  /** STOMP: exactly the destination `/topic/<topic>/<levels...>` (JMS destinations are names, not patterns) */
  | { kind: 'destination'; levels: string[] }
  /** RocketMQ tag expression (`a || b`) */
  | { kind: 'tags'; expression: string };

export interface SubscribeOptions {
  topic: string;
  /** subscribe to this tag (MQTT `topic/tag`, STOMP `/topic/topic/tag`, tag expression elsewhere) */
  tag?: string;
  /** replaces `tag` with a protocol-specific filter */
  filter?: FilterChoice;
  /** point-to-point: subscriptions with the same group share the messages */
  group?: string;
  /** may pause and resume without losing what arrived meanwhile (persistent session, queue, named group) */
  durable?: boolean;
  /** one message at a time in queue order (orderly consumer, ordered webhook) */
  ordered?: boolean;
  /** manual settlement: ack or nack each delivery (default: ack everything) */
  settle?: (m: Received) => Settle;
  /** deliveries before the dead-letter topic, where the client chooses (webhook maxAttempts, kernel maxReconsumeTimes + 1) */
  maxDeliveries?: number;
  /** names the subscription in `Received.member` */
  member?: string;
}

export interface Subscription {
  readonly inbox: Inbox;
  /** the kernel consumer group behind it (where its dead letters go), when there is one */
  readonly group?: string;
  /** stops receiving; a durable subscription keeps what arrives meanwhile */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

export interface SubscriberDriver {
  readonly name: SubscriberName;
  readonly limits: Limits;
  /** applicable but not checkable on one shared default-config server, with why */
  readonly blocked: Limits;
  /** how long a shared group needs after its members joined before each holds only its own queues */
  readonly rebalanceMs: number;
  /** deliveries before the dead-letter topic when the client cannot choose them (ignores `maxDeliveries`) */
  readonly fixedDeliveries?: number;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
}

let sequence = 0;
/** a name unique in this process: subscriptions, client ids, groups */
export function uniqueName(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence.toString(36)}-${process.pid.toString(36)}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** user properties without the protocol-only namespaces (STYLE.md §4; `rocketmq.bornHost` and `rocketmq.traceContext` too) */
export function userProperties(props: Record<string, string> | undefined): Record<string, string> | undefined {
  if (props === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(props)) {
    if (!/^(mqtt|stomp|http|rocketmq)\./.test(name)) out[name] = value;
  }
  return out;
}
