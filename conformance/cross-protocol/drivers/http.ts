/**
 * HTTP publish and pop-style receive (DESIGN.md §5, HTTP column).
 *
 * Publish: `POST /v1/topics/{topic}/messages`, as a client would choose:
 *  - a message whose content type is not JSON goes raw: the bytes as the request body,
 *    `Content-Type` its content type, the fields in `X-Message-*` headers (property
 *    names are lower case there, as HTTP header names are case-insensitive), unless a
 *    value cannot be a header value (a line break);
 *  - any other as the JSON envelope: `tag`, `path` (when the message has levels below
 *    the tag), `keys`, `properties`, `contentType`, `shardingKey`, `delayMs` or
 *    `deliverAt`, `ttlMs`; the body as UTF-8 text when it is valid UTF-8, else base64
 *    with `encoding: "base64"`.
 *
 * Pop: one long-polling loop per subscription on `POST .../receive` of its group (a
 * group of its own for pub/sub, the shared one for point-to-point), settling each
 * batch with `ack` or `nack` (`delayMs: 0`: redeliver at once, as a client that
 * wants the retry now asks).
 */
import { isUtf8 } from 'node:buffer';
import { fromView, type HttpApi, type MessageView } from './http-api.js';
import { Inbox } from './inbox.js';
import {
  uniqueName, type Limits, type MessageSpec, type Published, type PublisherDriver, type Received, type SubscribeOptions,
  type SubscriberDriver, type Subscription,
} from './types.js';

function publishBody(spec: MessageSpec): Record<string, unknown> {
  const text = isUtf8(spec.body);
  const body: Record<string, unknown> = text ? { body: spec.body.toString('utf8') } : { body: spec.body.toString('base64'), encoding: 'base64' };
  if (spec.tag !== undefined) body.tag = spec.tag;
  if (spec.levels?.length) body.path = [spec.topic, spec.tag, ...spec.levels].join('/');
  if (spec.keys?.length) body.keys = spec.keys;
  if (spec.properties) body.properties = spec.properties;
  if (spec.contentType !== undefined) body.contentType = spec.contentType;
  if (spec.shardingKey !== undefined) body.shardingKey = spec.shardingKey;
  if (spec.delayMs !== undefined) body.delayMs = spec.delayMs;
  if (spec.deliverAt !== undefined) body.deliverAt = spec.deliverAt;
  if (spec.ttlMs !== undefined) body.ttlMs = spec.ttlMs;
  return body;
}

/** application/json and any +json type: those are the JSON envelope, never a raw body (adapters/http/route.ts) */
function isJsonType(contentType: string): boolean {
  const mime = contentType.split(';')[0]!.trim().toLowerCase();
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

/** header values travel as bytes: UTF-8 text sent byte for byte (the adapter reads them back as UTF-8) */
const headerValue = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

function rawHeaders(spec: MessageSpec): Record<string, string> {
  const h: Record<string, string> = { 'content-type': spec.contentType! };
  if (spec.tag !== undefined) h['x-message-tag'] = headerValue(spec.tag);
  if (spec.levels?.length) h['x-message-path'] = headerValue([spec.topic, spec.tag, ...spec.levels].join('/'));
  if (spec.keys?.length) h['x-message-keys'] = headerValue(spec.keys.join(','));
  for (const [name, value] of Object.entries(spec.properties ?? {})) h[`x-message-property-${name.toLowerCase()}`] = headerValue(value);
  if (spec.shardingKey !== undefined) h['x-message-sharding-key'] = headerValue(spec.shardingKey);
  if (spec.delayMs !== undefined) h['x-message-delay-ms'] = String(spec.delayMs);
  if (spec.deliverAt !== undefined) h['x-message-deliver-at'] = String(spec.deliverAt);
  if (spec.ttlMs !== undefined) h['x-message-ttl-ms'] = String(spec.ttlMs);
  return h;
}

/** RFC 9110 §5.5: a field value has no CR, LF or NUL */
function fitsHeaders(spec: MessageSpec): boolean {
  const values = [spec.tag, ...(spec.keys ?? []), ...Object.values(spec.properties ?? {}), spec.shardingKey];
  return values.every((v) => v === undefined || !/[\r\n\0]/.test(v));
}

export class HttpPublisher implements PublisherDriver {
  readonly name = 'HTTP publish' as const;
  readonly limits: Limits = {};

  constructor(private readonly api: HttpApi) {}

  async publish(spec: MessageSpec): Promise<Published> {
    const path = `/v1/topics/${encodeURIComponent(spec.topic)}/messages`;
    if (spec.contentType !== undefined && !isJsonType(spec.contentType) && fitsHeaders(spec)) {
      const res = await fetch(`${this.api.base}${path}`, { method: 'POST', headers: rawHeaders(spec), body: spec.body });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`raw POST ${path} answered ${res.status}: ${text.slice(0, 500)}`);
      return { msgId: (JSON.parse(text) as { msgId: string }).msgId };
    }
    const { body } = await this.api.call<{ msgId: string }>('POST', path, publishBody(spec), [201]);
    return { msgId: body.msgId };
  }

  /** one request after the other: HTTP keeps no order between concurrent requests */
  async publishAll(specs: MessageSpec[]): Promise<void> {
    for (const spec of specs) await this.publish(spec);
  }

  async close(): Promise<void> {}
}

/** the filter fields of receive, SSE and webhook requests */
export function filterFields(o: SubscribeOptions): Record<string, string> {
  if (o.filter?.kind === 'mqtt' || o.filter?.kind === 'destination') throw new Error(`HTTP subscriptions filter by tag expression or selector, not ${o.filter.kind}`);
  if (o.filter?.kind === 'selector') return { selector: o.filter.selector };
  if (o.filter?.kind === 'tags') return { tagExpression: o.filter.expression };
  return o.tag === undefined ? {} : { tagExpression: o.tag };
}

const WAIT_MS = 1_000;

export class PopSubscriber implements SubscriberDriver {
  readonly name = 'HTTP pop' as const;
  readonly limits: Limits = {};
  readonly blocked: Limits = {};
  /** receivers share a group without rebalancing: each receive takes what is visible */
  readonly rebalanceMs = 0;
  /** the HTTP API cannot choose: the group's default of 16 reconsumes (DESIGN.md §3) */
  readonly fixedDeliveries = 17;

  constructor(private readonly api: HttpApi) {}

  async subscribe(o: SubscribeOptions): Promise<Subscription> {
    const { api } = this;
    const group = o.group ?? uniqueName('pop');
    const base = `/v1/groups/${encodeURIComponent(group)}/topics/${encodeURIComponent(o.topic)}`;
    const filter = filterFields(o);
    const member = o.member ?? 'pop';
    const inbox = new Inbox();
    const receive = (waitMs: number): Promise<{ body: { messages: Array<MessageView & { receiptHandle: string }> } }> =>
      api.call('POST', `${base}/receive`, { max: o.ordered ? 32 : 8, waitMs, invisibleMs: 30_000, ...filter }, [200]);
    const settle = async (messages: Array<{ m: Received; handle: string }>): Promise<void> => {
      const nacks = messages.filter(({ m }) => o.settle?.(m) === 'nack').map((x) => x.handle);
      const acks = messages.map((x) => x.handle).filter((h) => !nacks.includes(h));
      if (acks.length > 0) await api.call('POST', `${base}/ack`, { receiptHandles: acks }, [200]);
      if (nacks.length > 0) await api.call('POST', `${base}/nack`, { receiptHandles: nacks, delayMs: 0 }, [200]);
    };
    let running = false;
    let loop: Promise<void> = Promise.resolve();
    const start = (): void => {
      running = true;
      loop = (async () => {
        while (running) {
          try {
            const { body } = await receive(WAIT_MS);
            const got = body.messages.map((view) => ({ m: fromView(view, member), handle: view.receiptHandle }));
            for (const { m } of got) inbox.push(m);
            await settle(got);
          } catch (err) {
            inbox.error(`pop: ${(err as Error).message}`);
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      })();
    };
    // the first receive creates the group, whose start position is "from now" (SimpleConsumer LAST)
    const first = await receive(0);
    if (first.body.messages.length > 0) throw new Error(`a new pop group received ${first.body.messages.length} old messages`);
    start();
    const stop = async (): Promise<void> => {
      running = false;
      await loop;
    };
    return { inbox, group, pause: stop, resume: async () => start(), close: stop };
  }
}
