/**
 * What an aspect of the matrix is: the features it needs from the publisher and the
 * subscriber (a protocol that lacks one makes the cell n/a, with the protocol's
 * reason), and a run over one cell's fresh topic. The messages the field checks send
 * are defined here, so every pair sends the same bytes.
 */
import type { HttpApi } from '../drivers/http-api.js';
import type { Checks } from '../checks.js';
import type {
  Feature, MessageSpec, PublisherDriver, SubscribeOptions, SubscriberDriver, Subscription,
} from '../drivers/types.js';

export interface CellContext {
  readonly pub: PublisherDriver;
  readonly sub: SubscriberDriver;
  /** the cell's own kernel topic (4 queues), created before `run` */
  readonly topic: string;
  /** short unique name of the cell, for sharding keys and group names */
  readonly code: string;
  readonly api: HttpApi;
  readonly check: Checks;
  /** subscribes on the cell's topic; the cell closes it when done */
  subscribe(options: Omit<SubscribeOptions, 'topic'>): Promise<Subscription>;
}

export interface Aspect {
  /** as it appears in test names and the matrix */
  readonly name: string;
  /** short, for topic names */
  readonly code: string;
  readonly pubNeeds: readonly Feature[];
  readonly subNeeds: readonly Feature[];
  /** mostly waiting (backoff, delays, rebalance): started first */
  readonly slow?: boolean;
  readonly timeoutMs: number;
  /** throws ContractViolation on a broken contract; may return a note for the matrix */
  run(ctx: CellContext): Promise<string | void>;
}

export const TAG = 'created';
/** the tag aspect's tag: non-ASCII, in every protocol's own encoding of it */
export const UNICODE_TAG = 'état-订单';
export const KEYS = ['order-1001', 'customer-42', 'clé-日本'];
/** names with `-` and `.`; values with STOMP's escaped characters (`:`, `\\`, newline) and non-ASCII */
export const PROPERTIES: Record<string, string> = {
  region: 'eu-west', orderType: 'express', 'x-trace-id': 'abc-123', 'app.version': '1.2', note: 'a: b\\c\nd, e=f → Zürich',
};
export const CONTENT_TYPE = 'application/vnd.acme.order+json; charset=utf-8';
/** every byte value, then bytes that are not UTF-8 (a lone 0xff, a broken two-byte sequence) and a NUL */
export const BINARY_BODY = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x00])]);
export const TEXT_BODY = Buffer.from('Grüße, 世界 — ✓ 🚀 "quoted" \\ back\nslash: {"id": 1}', 'utf8');

/** the content type of the binary body: not JSON, so HTTP publishes it raw */
export const BINARY_CONTENT_TYPE = 'application/octet-stream';
/** properties that fit HTTP header values (no line break), so the raw publish can carry them */
export const HEADER_SAFE_PROPERTIES = Object.fromEntries(Object.entries(PROPERTIES).filter(([, v]) => !/[\r\n]/.test(v)));

/** a message with every field the publisher can express: tag, keys, properties, content type */
export function fullSpec(ctx: CellContext, body: Buffer, o: { tag?: string; properties?: Record<string, string>; contentType?: string } = {}): MessageSpec {
  const spec: MessageSpec = { topic: ctx.topic, tag: o.tag ?? TAG, body };
  if (!ctx.pub.limits.keys) spec.keys = KEYS;
  if (!ctx.pub.limits.properties) spec.properties = o.properties ?? PROPERTIES;
  if (!ctx.pub.limits.contentType) spec.contentType = o.contentType ?? CONTENT_TYPE;
  return spec;
}

/** waits `ms` so that anything still on its way arrives before the final count */
export const GRACE_MS = 300;
