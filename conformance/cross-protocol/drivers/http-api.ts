/**
 * The HTTP API as the cross-protocol drivers use it, with `fetch`: JSON calls that
 * fail loudly on an unexpected status, the admin calls the suite needs (topics, dead
 * letters), and the MessageView every HTTP delivery path (pop, SSE, webhook) carries.
 */
import type { Received } from './types.js';

/** the delivered message of the HTTP API (adapters/http/message-map.ts MessageView) */
export interface MessageView {
  msgId: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  tag?: string;
  path?: string;
  keys: string[];
  properties: Record<string, string>;
  contentType?: string;
  expireAt?: number;
  body: string;
  encoding: 'utf8' | 'base64';
  reconsumeTimes: number;
}

export interface DeadLetterView extends MessageView {
  originTopic: string;
  originMsgId?: string;
}

export function fromView(view: MessageView, member: string, redeliveries = view.reconsumeTimes): Received {
  const received: Received = {
    body: Buffer.from(view.body, view.encoding === 'base64' ? 'base64' : 'utf8'),
    keys: view.keys,
    properties: view.properties,
    // no path field: the message has no more than topic/tag (DESIGN.md §5)
    path: view.path ?? (view.tag === undefined ? view.topic : `${view.topic}/${view.tag}`),
    msgId: view.msgId,
    redeliveries,
    at: Date.now(),
    member,
  };
  if (view.tag !== undefined) received.tag = view.tag;
  if (view.contentType !== undefined) received.contentType = view.contentType;
  if (view.expireAt !== undefined) received.expiresAt = view.expireAt;
  return received;
}

export class HttpApi {
  /** `base`: the server's HTTP listener, known once it started */
  constructor(private readonly baseUrl: () => string) {}

  get base(): string {
    return this.baseUrl();
  }

  /** a JSON call; throws unless the status is one of `expect` */
  async call<T = unknown>(method: string, path: string, json?: unknown, expect: number[] = [200, 201, 204]): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: json === undefined ? {} : { 'content-type': 'application/json' },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const text = await res.text();
    const body = (text !== '' && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text) as T;
    if (!expect.includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return { status: res.status, body };
  }

  async createTopic(topic: string, queueCount: number): Promise<void> {
    await this.call('POST', '/v1/topics', { topic, queueCount });
  }

  /** the dead letters of `group`, oldest first (GET /v1/groups/{group}/dead-letters) */
  async deadLetters(group: string): Promise<DeadLetterView[]> {
    const { status, body } = await this.call<{ messages: DeadLetterView[] }>('GET', `/v1/groups/${encodeURIComponent(group)}/dead-letters`, undefined, [200, 404]);
    return status === 404 ? [] : body.messages;
  }
}
