/**
 * A real HTTP adapter on port 0 over a real embedded kernel (temp dir), plus the clients
 * the HTTP tests need: JSON fetch, a server-sent-events reader and a webhook receiver.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { ProtocolAdapter } from '../../../src/adapters/adapter.js';
import type { Authenticator } from '../../../src/adapters/common/auth.js';
import { openAuthenticator } from '../../../src/adapters/common/auth.js';
import { createHttpAdapter, defaultHttpConfig } from '../../../src/adapters/http/index.js';
import type { HttpAdapterConfig } from '../../../src/adapters/http/index.js';
import type { EmbeddedKernelOptions } from '../../../src/kernel/embedded.js';
import { startTestKernel, type TestKernel } from '../../helpers/kernel.js';

export { waitFor } from '../../helpers/kernel.js';

export interface HttpHarness {
  kernel: TestKernel;
  adapter: ProtocolAdapter;
  registry: Registry;
  url: string;
  /** restarts kernel and adapter on the same data directory */
  restart(): Promise<HttpHarness>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  kernel?: Partial<EmbeddedKernelOptions>;
  config?: Partial<HttpAdapterConfig>;
  auth?: Authenticator;
}

export const TEST_WEBHOOKS = { backoffMs: [100, 200, 300], timeoutMs: 2_000, snapshotIntervalMs: 60_000 };

export async function startHttp(options: HarnessOptions = {}, kernel?: TestKernel): Promise<HttpHarness> {
  // short long-polls keep consumer shutdowns (which wait for a parked pull) quick in tests
  const k = kernel ?? (await startTestKernel({ maxSuspendMs: 1_000, ...options.kernel }));
  const registry = new Registry();
  const adapter = createHttpAdapter(
    { kernel: k.client, logger: pino({ level: 'silent' }), metrics: registry, auth: options.auth ?? openAuthenticator },
    { ...defaultHttpConfig, host: '127.0.0.1', port: 0, sseHeartbeatMs: 1_000, ...options.config, webhooks: { ...TEST_WEBHOOKS, ...options.config?.webhooks } },
  );
  await adapter.start();
  const url = adapter.addresses()[0]!.url;
  const harness: HttpHarness = {
    kernel: k,
    adapter,
    registry,
    url,
    restart: async () => {
      await adapter.stop();
      const next = await k.restart();
      return startHttp(options, next);
    },
    close: async () => {
      await adapter.stop();
      await k.cleanup();
    },
  };
  return harness;
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<JsonResponse<T>> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const res = await fetch(url, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: body as T };
}

// --- server-sent events -------------------------------------------------------------------

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  contentType: string | null;
  /** the next event (comments and retry fields skipped) */
  next(timeoutMs?: number): Promise<SseEvent>;
  /** the next event of this type */
  nextOf(event: string, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/** A minimal EventSource over fetch (WHATWG HTML §9.2.6 parsing). */
export async function openEvents(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const queue: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const ev: SseEvent = { event: 'message', data: '' };
            let hasData = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'id') ev.id = value;
              else if (field === 'event') ev.event = value;
              else if (field === 'data') {
                ev.data = hasData ? `${ev.data}\n${value}` : value;
                hasData = true;
              }
            }
            if (hasData) queue.push(ev);
          }
          for (const w of waiters.splice(0)) w();
        }
      } catch {
        // aborted
      }
      ended = true;
      for (const w of waiters.splice(0)) w();
    })();
  }
  const next = async (timeoutMs = 10_000, pred: (e: SseEvent) => boolean = () => true): Promise<SseEvent> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex(pred);
      if (i >= 0) return queue.splice(i, 1)[0]!;
      if (ended) throw new Error('event stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    next: (timeoutMs) => next(timeoutMs),
    nextOf: (event, timeoutMs) => next(timeoutMs, (e) => e.event === event),
    close: () => abort.abort(),
  };
}

// --- webhook receiver ----------------------------------------------------------------------

export interface ReceivedCall {
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

export interface WebhookReceiver {
  url: string;
  calls: ReceivedCall[];
  /** answer status for the next call; default 204 */
  respond: (call: ReceivedCall, index: number) => number | Promise<number>;
  close(): Promise<void>;
}

export async function startReceiver(respond: WebhookReceiver['respond'] = () => 204): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { url: '', calls: [], respond, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const call: ReceivedCall = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: 0 };
        const index = receiver.calls.length;
        receiver.calls.push(call);
        call.answered = await receiver.respond(call, index);
        res.writeHead(call.answered).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return receiver;
}
