/**
 * GET /v1/topics/{topic}/events: server-sent events (WHATWG HTML §9.2).
 * Sequence: authorize → check topic and filter → open stream → attach a source (live, or
 * resume from Last-Event-ID) → on close release the source.
 * Events: `open` (starting positions), `message` (a MessageView), `gap` (retention removed
 * messages a resumed stream asked for); keep-alive comments while idle.
 */
import { KernelError, KernelErrorCode } from '../../../kernel/index.js';
import type { HttpDeps } from '../deps.js';
import { checkFilter, filterOf } from '../filter.js';
import { route } from '../route.js';
import type { RouteSpec } from '../route.js';
import { ErrorResponse, EventsQuery, TopicName } from '../schemas.js';
import { SSE_GROUP_PREFIX } from '../sse/hub.js';
import { EventPositions } from '../sse/positions.js';
import { startLiveSource, startResumeSource } from '../sse/sources.js';
import { SseStream } from '../sse/stream.js';

const EventsQueryWithResume = {
  ...EventsQuery,
  properties: { ...EventsQuery.properties, lastEventId: { type: 'string', maxLength: 16_384, description: 'for clients that cannot set Last-Event-ID' } },
} as const;

let streamSeq = 0;

export function eventRoutes(deps: HttpDeps): RouteSpec[] {
  return [
    route<{ topic: string }, EventsQuery & { lastEventId?: string }, unknown>({
      method: 'get',
      path: '/v1/topics/{topic}/events',
      operationId: 'streamEvents',
      summary: 'Stream messages as server-sent events',
      description: [
        'Each `message` event carries a MessageView; its id lists the stream position in every queue',
        '(`<queueId>:<offset>,...`). Reconnecting with Last-Event-ID resumes from those positions without loss.',
        'Without `group` each connection has a group of its own, from now on; with `group` the connection joins',
        'that clustering group (its queues are shared with the other members, offsets are kept).',
      ].join(' '),
      tag: 'consume',
      auth: 'topic',
      streaming: true,
      params: { type: 'object', required: ['topic'], properties: { topic: TopicName } },
      query: EventsQueryWithResume,
      headers: [{ name: 'Last-Event-ID', description: 'resume after these positions', schema: { type: 'string' } }],
      responses: {
        200: { description: 'the event stream', contentType: 'text/event-stream', schema: { type: 'string' } },
        400: { description: 'bad filter or Last-Event-ID', schema: ErrorResponse },
        404: { description: 'unknown topic', schema: ErrorResponse },
      },
      handler: async (ctx) => {
        const { topic } = ctx.params;
        ctx.authorize('subscribe', topic);
        const filter = filterOf(ctx.query, 'query');
        const lastEventId = ctx.req.headers['last-event-id'] ?? ctx.query.lastEventId;
        const positions = typeof lastEventId === 'string' && lastEventId.trim() !== '' ? EventPositions.parse(lastEventId) : undefined;
        const stats = await deps.kernel.admin.topicStats(topic);
        if (!stats) throw new KernelError(KernelErrorCode.TopicNotFound, `topic ${JSON.stringify(topic)} does not exist`);
        await checkFilter(deps.kernel, topic, filter);

        const seq = ++streamSeq;
        const clientId = `${deps.config.nodeId}-sse-${seq}`;
        const ownGroup = `${SSE_GROUP_PREFIX}${deps.config.nodeId}-${seq}`;
        const stream = new SseStream(ctx.res, deps.config.sseHeartbeatMs);
        const base = { topic, stats, filter };
        const info = {
          clientId, topic, group: positions ? ownGroup : ctx.query.group ?? ownGroup, user: ctx.principal?.username ?? null,
          remoteAddress: `${ctx.req.socket.remoteAddress ?? '?'}:${ctx.req.socket.remotePort ?? 0}`, openedAt: Date.now(),
        };
        try {
          const cleanup = positions
            ? await startResumeSource(deps, stream, { ...base, positions, group: ownGroup, clientId })
            : await startLiveSource(deps, stream, {
              ...base, positions: new EventPositions(), group: ctx.query.group ?? ownGroup, ephemeral: ctx.query.group === undefined,
              from: ctx.query.from ?? 'last', clientId,
            });
          deps.sse.add(stream, cleanup, info);
        } catch (err) {
          deps.logger.warn({ err, topic }, 'SSE stream could not start');
          await stream.send({ event: 'error', data: JSON.stringify({ error: { code: 'INTERNAL', message: 'stream could not start' } }) });
          stream.close();
        }
        return undefined;
      },
    }),
  ];
}
