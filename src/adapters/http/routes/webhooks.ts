/**
 * Outbound webhook subscriptions (POST/GET/DELETE /v1/webhooks) and inbound hooks
 * (POST /v1/hooks/{topic}: any JSON from a third party becomes a message, with an optional
 * per-topic signature check and de-duplication by webhook-id).
 */
import { KernelErrorCode } from '../../../kernel/index.js';
import type { Principal } from '../../common/auth.js';
import type { HttpDeps } from '../deps.js';
import { HttpError, HttpErrorCode } from '../errors.js';
import { checkFilter, filterOf } from '../filter.js';
import { IdempotencyWindow } from '../idempotency.js';
import { route } from '../route.js';
import type { Reply, RouteSpec } from '../route.js';
import { ErrorResponse, InboundHookQuery, PublishResult, TopicName, WebhookCreated, WebhookCreateRequest, WebhookList, WebhookView } from '../schemas.js';
import type { WebhookRecord } from '../webhooks/registry.js';
import { webhookView } from '../webhooks/service.js';
import { verifyGithub, verifyStandard } from '../webhooks/signature.js';

const IdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

function canSee(principal: Principal | undefined, w: WebhookRecord): boolean {
  return !principal || principal.admin || principal.readOnly || w.owner === principal.username;
}

function canChange(principal: Principal | undefined, w: WebhookRecord): boolean {
  return !principal || (principal.admin && !principal.readOnly) || w.owner === principal.username;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function webhookRoutes(deps: HttpDeps): RouteSpec[] {
  const notFound = (id: string): HttpError => new HttpError(HttpErrorCode.WebhookNotFound, `webhook ${JSON.stringify(id)} does not exist`);
  return [
    route<unknown, unknown, WebhookCreateRequest>({
      method: 'post',
      path: '/v1/webhooks',
      operationId: 'createWebhook',
      summary: 'Subscribe a URL to a topic',
      description: [
        'Each message is POSTed as {type, timestamp, data: MessageView}, signed in the Standard Webhooks style:',
        'webhook-id (the msgId), webhook-timestamp (seconds), webhook-signature `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.',
        'A 2xx acknowledges; anything else or a timeout is retried with backoff up to maxAttempts, then the message goes to',
        'the dead-letter topic %DLQ%webhook-<id>. `ordered` keeps per-sharding-key order.',
      ].join(' '),
      tag: 'webhooks',
      auth: 'topic',
      body: { schema: WebhookCreateRequest, required: true },
      responses: { 201: { description: 'created; the secret is shown only here', schema: WebhookCreated }, 400: { description: 'invalid', schema: ErrorResponse } },
      handler: async (ctx) => {
        ctx.authorize('subscribe', ctx.body.topic);
        const filter = filterOf(ctx.body);
        await checkFilter(deps.kernel, ctx.body.topic, filter);
        const webhook = await deps.webhooks.create(ctx.body, ctx.principal?.username);
        return { status: 201, body: { ...webhookView(webhook), secret: webhook.secret } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/webhooks',
      operationId: 'listWebhooks',
      summary: 'List webhook subscriptions (admins see all, others their own)',
      tag: 'webhooks',
      auth: 'topic',
      responses: { 200: { description: 'subscriptions', schema: WebhookList } },
      handler: async (ctx) => ({ status: 200, body: { webhooks: deps.webhooks.list().filter((w) => canSee(ctx.principal, w)).map(webhookView) } }),
    }),
    route<{ id: string }, unknown, unknown>({
      method: 'get',
      path: '/v1/webhooks/{id}',
      operationId: 'getWebhook',
      summary: 'One webhook subscription',
      tag: 'webhooks',
      auth: 'topic',
      params: IdParams,
      responses: { 200: { description: 'the subscription', schema: WebhookView }, 404: { description: 'unknown id', schema: ErrorResponse } },
      handler: async (ctx) => {
        const w = deps.webhooks.get(ctx.params.id);
        if (!w || !canSee(ctx.principal, w)) throw notFound(ctx.params.id);
        return { status: 200, body: webhookView(w) };
      },
    }),
    route<{ id: string }, unknown, unknown>({
      method: 'delete',
      path: '/v1/webhooks/{id}',
      operationId: 'deleteWebhook',
      summary: 'Remove a webhook subscription',
      tag: 'webhooks',
      auth: 'topic',
      params: IdParams,
      responses: { 204: { description: 'removed' }, 404: { description: 'unknown id', schema: ErrorResponse } },
      handler: async (ctx) => {
        const w = deps.webhooks.get(ctx.params.id);
        if (!w || !canSee(ctx.principal, w)) throw notFound(ctx.params.id);
        if (!canChange(ctx.principal, w)) throw new HttpError(KernelErrorCode.Forbidden, 'only the owner or an admin may remove this webhook');
        await deps.webhooks.delete(ctx.params.id);
        return { status: 204 };
      },
    }),
    route<{ topic: string }, { tag?: string }, unknown>({
      method: 'post',
      path: '/v1/hooks/{topic}',
      operationId: 'inboundHook',
      summary: 'Accept a JSON call from a third party as a message',
      description: [
        'The body is stored byte for byte (contentType application/json). When the topic has a configured secret the',
        'call must be signed: Standard Webhooks headers (webhook-id/-timestamp/-signature) or GitHub\'s X-Hub-Signature-256.',
        'A repeated webhook-id within the idempotency window returns the first result.',
      ].join(' '),
      tag: 'webhooks',
      auth: 'topic',
      params: { type: 'object', required: ['topic'], properties: { topic: TopicName } },
      query: InboundHookQuery,
      body: { schema: {}, required: true },
      responses: {
        201: { description: 'stored', schema: PublishResult },
        401: { description: 'missing or wrong signature', schema: ErrorResponse },
        404: { description: 'unknown topic (auto-create off)', schema: ErrorResponse },
      },
      handler: async (ctx) => {
        const { topic } = ctx.params;
        ctx.authorize('publish', topic);
        const bytes = ctx.bytes ?? Buffer.from('null');
        const hookId = header(ctx.req.headers['webhook-id']) ?? header(ctx.req.headers['x-github-delivery']);
        const hook = deps.config.inboundHooks[topic];
        if (hook) {
          const problem = hook.scheme === 'github'
            ? verifyGithub(hook.secret, header(ctx.req.headers['x-hub-signature-256']), bytes)
            : verifyStandard(hook.secret, {
              id: hookId, timestamp: header(ctx.req.headers['webhook-timestamp']), signature: header(ctx.req.headers['webhook-signature']), body: bytes,
            }, hook.toleranceMs ?? 5 * 60_000);
          if (problem) throw new HttpError(HttpErrorCode.InvalidSignature, problem);
        }
        const store = async (): Promise<Reply> => {
          const result = await deps.producer.send({
            topic, body: bytes, contentType: 'application/json', bornTimestamp: Date.now(),
            ...(ctx.query.tag ? { tag: ctx.query.tag } : {}), ...(hookId && !/\s/.test(hookId) ? { keys: [hookId] } : {}),
          });
          deps.counters.in(topic);
          return { status: 201, body: { msgId: result.msgId, topic: result.topic, queueId: result.queueId, queueOffset: result.queueOffset } };
        };
        if (!hookId) return store();
        return deps.idempotency.run(`hook\u0000${topic}\u0000${hookId}`, IdempotencyWindow.fingerprint([bytes]), store);
      },
    }),
  ];
}
