/**
 * POST /v1/topics/{topic}/messages
 *   JSON object        → one message, 201 {msgId, topic, queueId, queueOffset}
 *   JSON array         → a batch, a status per item (201 when all stored, else 207)
 *   other Content-Type → the bytes as they came; tag, keys, properties from X-Message-* headers
 * Idempotency-Key returns the first result of the same request within the window.
 * Sequence: authorize → map → send → count → reply.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Message, SendResult } from '../../../kernel/index.js';
import type { HttpDeps } from '../deps.js';
import { toHttpError, validationError } from '../errors.js';
import { IdempotencyWindow } from '../idempotency.js';
import { messageFromJson, messageFromRaw, RawHeader } from '../message-map.js';
import { route } from '../route.js';
import type { Reply, RouteContext, RouteSpec } from '../route.js';
import { BatchResult, ErrorResponse, MAX_BATCH_ITEMS, PublishBody, PublishRequest, PublishResult, TopicName } from '../schemas.js';
import { bodyChecker } from '../validate.js';

const checkItem = bodyChecker(PublishRequest);

export const TopicParams = { type: 'object', required: ['topic'], properties: { topic: TopicName } } as const;
type TopicParams = { topic: string };
type PublishCtx = RouteContext<TopicParams, unknown, unknown>;

function sendResultBody(r: SendResult): { msgId: string; topic: string; queueId: number; queueOffset: number } {
  return { msgId: r.msgId, topic: r.topic, queueId: r.queueId, queueOffset: r.queueOffset };
}

interface ItemOutcome {
  index: number;
  status: number;
  [field: string]: unknown;
}

function failure(index: number, err: unknown): ItemOutcome {
  const e = toHttpError(err);
  return { index, status: e.status, error: e.toBody().error };
}

/** Items that share a sharding key go in one kernel batch (one queue, in order); groups go in parallel. */
async function sendBatch(deps: HttpDeps, items: Array<{ index: number; message: Message }>): Promise<ItemOutcome[]> {
  const groups = new Map<string | undefined, Array<{ index: number; message: Message }>>();
  for (const item of items) {
    const group = groups.get(item.message.shardingKey) ?? [];
    group.push(item);
    groups.set(item.message.shardingKey, group);
  }
  const outcomes = await Promise.all([...groups.values()].map(async (group): Promise<ItemOutcome[]> => {
    try {
      const results = await deps.producer.sendBatch(group.map((g) => g.message));
      return group.map((g, i) => ({ index: g.index, status: 201, ...sendResultBody(results[i]!) }));
    } catch (err) {
      return group.map((g) => failure(g.index, err));
    }
  }));
  return outcomes.flat();
}

async function publishBatch(deps: HttpDeps, ctx: PublishCtx, topic: string, items: unknown[], now: number): Promise<Reply> {
  if (items.length === 0 || items.length > MAX_BATCH_ITEMS) {
    throw validationError([{ in: 'body', path: '', message: `must have 1 to ${MAX_BATCH_ITEMS} items` }]);
  }
  const outcomes: ItemOutcome[] = [];
  const valid: Array<{ index: number; message: Message }> = [];
  items.forEach((item, index) => {
    try {
      const issues = checkItem(item, `/${index}`);
      if (issues) throw validationError(issues);
      const message = messageFromJson(topic, item as PublishRequest, now, `/${index}`);
      ctx.authorize('publish', topic, message.path);
      valid.push({ index, message });
    } catch (err) {
      outcomes.push(failure(index, err));
    }
  });
  if (valid.length > 0) outcomes.push(...(await sendBatch(deps, valid)));
  outcomes.sort((a, b) => a.index - b.index);
  const stored = outcomes.filter((o) => o.status === 201).length;
  if (stored > 0) deps.counters.in(topic, stored);
  return { status: stored === items.length ? 201 : 207, body: { results: outcomes } };
}

async function publishOne(deps: HttpDeps, ctx: PublishCtx, message: Message): Promise<Reply> {
  ctx.authorize('publish', message.topic, message.path);
  const result = await deps.producer.send(message);
  deps.counters.in(message.topic);
  return { status: 201, body: sendResultBody(result) };
}

async function publish(deps: HttpDeps, ctx: PublishCtx): Promise<Reply> {
  const topic = ctx.params.topic;
  const now = Date.now();
  if (ctx.raw) return publishOne(deps, ctx, messageFromRaw(topic, ctx.raw, ctx.contentType!, ctx.req.headers, now));
  if (Array.isArray(ctx.body)) return publishBatch(deps, ctx, topic, ctx.body, now);
  const issues = checkItem(ctx.body, '');
  if (issues) throw validationError(issues);
  return publishOne(deps, ctx, messageFromJson(topic, ctx.body as PublishRequest, now));
}

function messageHeaders(headers: IncomingHttpHeaders): string {
  return Object.entries(headers)
    .filter(([name]) => name.startsWith('x-message-'))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name}:${String(value)}`)
    .join('\n');
}

export function messageRoutes(deps: HttpDeps): RouteSpec[] {
  return [
    route<TopicParams, unknown, unknown>({
      method: 'post',
      path: '/v1/topics/{topic}/messages',
      operationId: 'publish',
      summary: 'Publish one message, a batch, or a raw body',
      description: [
        'A JSON object publishes one message; a JSON array publishes a batch and answers a status per item',
        '(201 when every item was stored, 207 otherwise). Any other Content-Type publishes the request body as-is,',
        `with the message fields from headers: ${Object.values(RawHeader).join(', ')} (property names are lower case).`,
      ].join(' '),
      tag: 'messages',
      auth: 'topic',
      params: TopicParams,
      headers: [
        { name: 'Idempotency-Key', description: 'a retry with the same key returns the first result within the window', schema: { type: 'string', maxLength: 255 } },
        { name: RawHeader.Tag, description: 'raw publish: tag', schema: { type: 'string' } },
        { name: RawHeader.Keys, description: 'raw publish: comma-separated keys', schema: { type: 'string' } },
      ],
      body: { schema: PublishBody, required: true, validate: false, raw: { description: 'the message body as-is' } },
      responses: {
        201: { description: 'stored (object or raw: PublishResult; array: BatchResult)', schema: { oneOf: [PublishResult, BatchResult] } },
        207: { description: 'batch with at least one failed item', schema: BatchResult },
        400: { description: 'invalid JSON or schema violation', schema: ErrorResponse },
        404: { description: 'unknown topic (auto-create off)', schema: ErrorResponse },
        413: { description: 'body or message too large', schema: ErrorResponse },
        422: { description: 'Idempotency-Key reused for another request', schema: ErrorResponse },
      },
      handler: async (ctx) => {
        const key = ctx.req.headers['idempotency-key'];
        if (typeof key !== 'string' || key === '') return publish(deps, ctx);
        const scope = `${ctx.principal?.username ?? ''}\u0000${ctx.params.topic}\u0000${key}`;
        const fingerprint = IdempotencyWindow.fingerprint([ctx.contentType, ctx.bytes, messageHeaders(ctx.req.headers)]);
        return deps.idempotency.run(scope, fingerprint, () => publish(deps, ctx));
      },
    }),
  ];
}
