/**
 * The admin subcommands' HTTP client for a running server's API (`/v1/...`, the same
 * routes the OpenAPI document at /v1/openapi.json lists). Every failure becomes one of
 * errors.ts: nothing answering → UnreachableError naming the URL; an error reply →
 * RefusedError with the server's status, code and message.
 */
import { RefusedError, UnreachableError } from './errors.js';

export interface AdminClientOptions {
  /** base URL, e.g. http://127.0.0.1:8080 */
  server: string;
  /** value of the Authorization header, if any */
  authorization?: string;
  /** per request, unless the request names its own */
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  timeoutMs?: number;
}

export interface Answer<T> {
  status: number;
  body: T;
}

/** A path with each interpolated value URL-encoded as one segment: path`/v1/topics/${topic}`. */
export function path(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

const NOTHING_ANSWERS = 'nothing answers';

/** fetch's network failure → the sentence a person can act on */
function reasonOf(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms (--timeout)`;
  const code = e?.cause?.code ?? '';
  if (e?.cause?.message === 'bad port') return 'Node\'s fetch refuses this port (one browsers block, e.g. 1, 6000, 10080); give the server another HTTP port';
  switch (code) {
    case 'ECONNREFUSED': return `${NOTHING_ANSWERS} (connection refused); is the server running and is this its HTTP port?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return `${NOTHING_ANSWERS}: the host name does not resolve (${code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT': return `${NOTHING_ANSWERS}: the host is unreachable (${code})`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET': return `the connection closed before an answer (${code}); is this an HTTP port of rocketgate?`;
    default: {
      const detail = e?.cause?.message ?? e?.message ?? String(err);
      return `${NOTHING_ANSWERS} (${code ? `${code}: ` : ''}${detail})`;
    }
  }
}

export class AdminClient {
  readonly server: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: AdminClientOptions) {
    this.server = options.server.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
  }

  get<T>(route: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('GET', route, { query }).then((a) => a.body);
  }

  post<T>(route: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<Answer<T>> {
    return this.request<T>('POST', route, { ...options, body });
  }

  async delete(route: string): Promise<void> {
    await this.request('DELETE', route);
  }

  async request<T>(method: string, route: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const url = new URL(this.server + route);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.authorization) headers.authorization = this.options.authorization;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      throw new UnreachableError(this.server, reasonOf(err, timeoutMs));
    }
    const json = parseJson(text, response.headers.get('content-type'));
    if (response.ok) {
      if (response.status === 204) return { status: 204, body: undefined as T };
      if (json === undefined) {
        throw new RefusedError(response.status, 'UNEXPECTED_RESPONSE', `${method} ${url.pathname} answered ${response.status} without JSON; is ${this.server} a rocketgate HTTP listener?`);
      }
      return { status: response.status, body: json as T };
    }
    const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    if (error && typeof error.code === 'string') {
      throw new RefusedError(response.status, error.code, typeof error.message === 'string' ? error.message : '', error.details);
    }
    throw new RefusedError(response.status, `HTTP_${response.status}`,
      `${response.statusText || 'error'} for ${method} ${url.pathname}, without a rocketgate error body; is ${this.server} a rocketgate HTTP listener?`);
  }
}

function parseJson(text: string, contentType: string | null): unknown {
  if (text === '' || !/json/i.test(contentType ?? '')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
