/**
 * Outbound webhooks (`POST /v1/webhooks`) delivered to a real HTTP server of ours.
 * Each subscription has its own path on one receiver; every request's Standard
 * Webhooks signature is verified (standardwebhooks.com: HMAC-SHA256 over
 * `id.timestamp.body`, `whsec_` secrets base64) before the MessageView in it counts.
 * A 2xx answer acknowledges, 500 rejects (the service retries with backoff and
 * dead-letters after `maxAttempts`), and a paused subscription answers 503, as an
 * endpoint that is down.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpApi, MessageView } from './http-api.js';
import { fromView } from './http-api.js';
import { filterFields } from './http.js';
import { Inbox } from './inbox.js';
import { uniqueName, type Limits, type SubscribeOptions, type SubscriberDriver, type Subscription } from './types.js';

type Handler = (headers: http.IncomingHttpHeaders, body: Buffer) => number;

/** one HTTP server for every webhook subscription of the suite, a path per subscription */
export class WebhookReceiver {
  private readonly handlers = new Map<string, Handler>();

  private constructor(private readonly server: http.Server, readonly url: string) {}

  static async start(): Promise<WebhookReceiver> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const handler = receiver.handlers.get(req.url ?? '');
        res.statusCode = handler ? handler(req.headers, Buffer.concat(chunks)) : 404;
        res.end();
      });
    });
    return receiver;
  }

  route(path: string, handler: Handler): void {
    this.handlers.set(path, handler);
  }

  unroute(path: string): void {
    this.handlers.delete(path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** undefined when the Standard Webhooks signature is right, else what is wrong */
export function signatureProblem(secret: string, headers: http.IncomingHttpHeaders, body: Buffer): string | undefined {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signature = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signature) return 'webhook-id, webhook-timestamp or webhook-signature missing';
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
  const expected = Buffer.from(`v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`);
  const ok = signature.split(' ').some((s) => {
    const offered = Buffer.from(s);
    return offered.length === expected.length && timingSafeEqual(offered, expected);
  });
  return ok ? undefined : `no v1 signature matches (got ${signature.slice(0, 60)})`;
}

const NO_SHARING = 'a webhook subscription has one URL and a consumer group of its own: two endpoints cannot share one subscription\'s messages';

export class WebhookSubscriber implements SubscriberDriver {
  readonly name = 'HTTP webhook' as const;
  readonly limits: Limits = { pointToPoint: NO_SHARING };
  readonly blocked: Limits = {};
  readonly rebalanceMs = 0;

  constructor(private readonly api: HttpApi, private readonly receiverOf: () => WebhookReceiver) {}

  async subscribe(o: SubscribeOptions): Promise<Subscription> {
    if (o.group !== undefined) throw new Error(NO_SHARING);
    const receiver = this.receiverOf();
    const path = `/hooks/${uniqueName('wh')}`;
    const inbox = new Inbox();
    const member = o.member ?? 'webhook';
    let paused = false;
    let secret = '';
    receiver.route(path, (headers, body) => {
      if (paused) return 503;
      const problem = signatureProblem(secret, headers, body);
      if (problem) {
        inbox.error(`webhook signature: ${problem}`);
        return 400;
      }
      const payload = JSON.parse(body.toString('utf8')) as { type: string; data: MessageView };
      const attempt = Number(header(headers, 'x-rocketgate-attempt') ?? '1');
      const m = fromView(payload.data, member, attempt - 1);
      if (header(headers, 'webhook-id') !== m.msgId) inbox.error(`webhook-id ${header(headers, 'webhook-id')} is not the msgId ${m.msgId}`);
      inbox.push(m);
      return o.settle?.(m) === 'nack' ? 500 : 204;
    });
    const { body } = await this.api.call<{ id: string; group: string; secret: string }>('POST', '/v1/webhooks', {
      topic: o.topic, url: `${receiver.url}${path}`, ...filterFields(o),
      maxAttempts: o.maxDeliveries ?? 10, ordered: o.ordered === true,
    }, [201]);
    secret = body.secret;
    return {
      inbox,
      group: body.group,
      pause: async () => {
        paused = true;
      },
      resume: async () => {
        paused = false;
      },
      close: async () => {
        await this.api.call('DELETE', `/v1/webhooks/${body.id}`, undefined, [204]);
        receiver.unroute(path);
      },
    };
  }
}
