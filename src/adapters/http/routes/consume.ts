/**
 * Pop-style consumption (RocketMQ 5 SimpleConsumer) over HTTP:
 *   POST /v1/groups/{group}/topics/{topic}/receive     long-polls, makes messages invisible to the group
 *   POST /v1/groups/{group}/topics/{topic}/ack         settles them by receipt handle
 *   POST /v1/groups/{group}/topics/{topic}/nack        redelivers through the retry topic
 *   POST /v1/groups/{group}/topics/{topic}/visibility  extends (or ends) invisibility; new handles
 * Settlement answers a status per handle: 200 when all succeeded, 207 when some failed, and
 * the error itself when all failed (e.g. 400 INVALID_RECEIPT_HANDLE).
 */
import type { SimpleConsumer } from '../../../kernel/index.js';
import type { HttpDeps } from '../deps.js';
import { HttpError, toHttpError } from '../errors.js';
import { checkFilter, filterOf } from '../filter.js';
import { messageView } from '../message-map.js';
import { route } from '../route.js';
import type { Reply, RouteSpec } from '../route.js';
import {
  AckRequest, ErrorResponse, GroupName, HandleResults, NackRequest, ReceiveRequest, ReceiveResponse, TopicName, VisibilityRequest,
} from '../schemas.js';

type Params = { group: string; topic: string };
const params = { type: 'object', required: ['group', 'topic'], properties: { group: GroupName, topic: TopicName } } as const;
const MAX_CONSUMERS = 10_000;

interface HandleOutcome {
  receiptHandle: string;
  status: number;
  newReceiptHandle?: string;
  error?: { code: string; message: string; details?: unknown };
}

async function settle(handles: string[], act: (handle: string) => Promise<string | void>): Promise<Reply> {
  const results: HandleOutcome[] = await Promise.all(handles.map(async (receiptHandle) => {
    try {
      const next = await act(receiptHandle);
      return { receiptHandle, status: 200, ...(typeof next === 'string' ? { newReceiptHandle: next } : {}) };
    } catch (err) {
      const e = toHttpError(err);
      return { receiptHandle, status: e.status, error: e.toBody().error };
    }
  }));
  const failed = results.filter((r) => r.status !== 200);
  if (failed.length === 0) return { status: 200, body: { results } };
  if (failed.length === results.length) {
    const first = failed[0]!.error!;
    throw new HttpError(first.code as HttpError['code'], first.message, { results });
  }
  return { status: 207, body: { results } };
}

export function consumeRoutes(deps: HttpDeps): RouteSpec[] {
  // simple consumers hold no broker state: one per group, reused by every request of the node
  const consumers = new Map<string, SimpleConsumer>();
  const consumerOf = (group: string): SimpleConsumer => {
    let c = consumers.get(group);
    if (!c) {
      if (consumers.size >= MAX_CONSUMERS) consumers.delete(consumers.keys().next().value!);
      c = deps.kernel.createSimpleConsumer({ group, clientId: `${deps.config.nodeId}-pop` });
      consumers.set(group, c);
    }
    return c;
  };
  const settleRoute = <B extends { receiptHandles: string[] }>(
    name: 'ack' | 'nack' | 'visibility', summary: string, schema: Record<string, unknown>,
    act: (c: SimpleConsumer, handle: string, body: B) => Promise<string | void>,
  ): RouteSpec => route<Params, unknown, B>({
    method: 'post',
    path: `/v1/groups/{group}/topics/{topic}/${name}`,
    operationId: name === 'visibility' ? 'changeVisibility' : name,
    summary,
    tag: 'consume',
    auth: 'topic',
    params,
    body: { schema, required: true },
    responses: {
      200: { description: 'every handle settled', schema: HandleResults },
      207: { description: 'some handles failed', schema: HandleResults },
      400: { description: 'every handle failed, e.g. INVALID_RECEIPT_HANDLE (details.results per handle)', schema: ErrorResponse },
    },
    handler: async (ctx) => {
      ctx.authorize('subscribe', ctx.params.topic);
      const consumer = consumerOf(ctx.params.group);
      return settle(ctx.body.receiptHandles, (h) => act(consumer, h, ctx.body));
    },
  });

  return [
    route<Params, unknown, ReceiveRequest>({
      method: 'post',
      path: '/v1/groups/{group}/topics/{topic}/receive',
      operationId: 'receive',
      summary: 'Receive messages (long polling); they stay invisible to the group until acked or invisibleMs passes',
      description: 'body is UTF-8 text when the bytes are valid UTF-8 and base64 otherwise (`encoding` says which).',
      tag: 'consume',
      auth: 'topic',
      params,
      body: { schema: ReceiveRequest, required: false },
      responses: { 200: { description: 'zero or more messages', schema: ReceiveResponse }, 404: { description: 'unknown topic', schema: ErrorResponse } },
      handler: async (ctx) => {
        const { group, topic } = ctx.params;
        ctx.authorize('subscribe', topic);
        const filter = filterOf(ctx.body);
        await checkFilter(deps.kernel, topic, filter);
        const consumer = consumerOf(group);
        // before we answer, 'close' of the response means the connection went away
        let clientGone = false;
        ctx.res.once('close', () => (clientGone = true));
        const messages = await consumer.receive({
          topic, filter, maxMessages: ctx.body.max ?? 1, invisibleMs: ctx.body.invisibleMs ?? 30_000, waitMs: ctx.body.waitMs ?? 0,
        });
        if (messages.length > 0 && clientGone) {
          // the client left while we waited: give the messages back for redelivery at once
          await Promise.all(messages.map((m) => consumer.nack(m.receiptHandle, 0).catch(() => undefined)));
          return undefined;
        }
        deps.counters.out(topic, messages.length);
        return {
          status: 200,
          body: { messages: messages.map((m) => ({ ...messageView(m), receiptHandle: m.receiptHandle, invisibleUntil: m.invisibleUntil })) },
        };
      },
    }),
    settleRoute<AckRequest>('ack', 'Acknowledge received messages', AckRequest, (c, h) => c.ack(h)),
    settleRoute<NackRequest>('nack', 'Give messages back for redelivery (through the retry topic)', NackRequest, (c, h, b) => c.nack(h, b.delayMs)),
    settleRoute<VisibilityRequest>('visibility', 'Change how long messages stay invisible; returns new receipt handles', VisibilityRequest,
      (c, h, b) => c.changeInvisibleDuration(h, b.invisibleMs)),
  ];
}
