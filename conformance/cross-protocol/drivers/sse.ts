/**
 * Server-sent events (`GET /v1/topics/{topic}/events`) read with `fetch` and parsed
 * as WHATWG HTML §9.2.6 says. Without a group each stream is its own subscription
 * from now (pub/sub); with `group` the streams share a clustering group
 * (point-to-point) whose offsets survive a reconnect (durable). A subscription is
 * live once the `open` event arrived.
 */
import type { HttpApi, MessageView } from './http-api.js';
import { fromView } from './http-api.js';
import { filterFields } from './http.js';
import { Inbox } from './inbox.js';
import { uniqueName, type Limits, type SubscribeOptions, type SubscriberDriver, type Subscription } from './types.js';

const NO_ACK = 'server-sent events are one-way: the client cannot acknowledge or reject a message, so nothing sends it back';
/** a named group is a kernel push consumer that rebalances every 2 s */
const REBALANCE_MS = 2_000;
const OPEN_TIMEOUT_MS = 10_000;

interface Stream {
  close(): Promise<void>;
}

/** opens the stream; resolves after the `open` event, pushes every `message` event into `inbox` */
async function openStream(url: string, inbox: Inbox, member: string): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
  if (res.status !== 200 || !res.body) throw new Error(`GET ${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  let opened!: () => void;
  let failed!: (err: Error) => void;
  const open = new Promise<void>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  const dispatch = (event: string, data: string): void => {
    if (event === 'open') opened();
    else if (event === 'message') inbox.push(fromView(JSON.parse(data) as MessageView, member));
    else if (event === 'error') inbox.error(`sse error event: ${data}`);
  };
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line === '' || line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event = value;
            else if (field === 'data') data.push(value);
          }
          if (data.length > 0) dispatch(event, data.join('\n'));
        }
      }
      failed(new Error('the event stream ended before `open`'));
    } catch (err) {
      if (!abort.signal.aborted) inbox.error(`sse: ${(err as Error).message}`);
      failed(err as Error);
    }
  })();
  const timer = setTimeout(() => failed(new Error(`no open event within ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
  try {
    await open;
  } finally {
    clearTimeout(timer);
  }
  return {
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}

export class SseSubscriber implements SubscriberDriver {
  readonly name = 'HTTP SSE' as const;
  readonly limits: Limits = { nack: NO_ACK, deadLetter: NO_ACK };
  readonly blocked: Limits = {};
  readonly rebalanceMs = REBALANCE_MS + 500;

  constructor(private readonly api: HttpApi) {}

  async subscribe(o: SubscribeOptions): Promise<Subscription> {
    if (o.settle || o.maxDeliveries !== undefined) throw new Error(NO_ACK);
    const group = o.group ?? (o.durable ? uniqueName('sse') : undefined);
    const query = new URLSearchParams(filterFields(o));
    // a named group on a fresh topic: from the first message, so a durable stream misses nothing
    if (group !== undefined) {
      query.set('group', group);
      query.set('from', 'first');
    }
    const url = `${this.api.base}/v1/topics/${encodeURIComponent(o.topic)}/events?${query.toString()}`;
    const inbox = new Inbox();
    const member = o.member ?? 'sse';
    let stream: Stream | undefined = await openStream(url, inbox, member);
    const stop = async (): Promise<void> => {
      await stream?.close();
      stream = undefined;
    };
    return {
      inbox,
      ...(group === undefined ? {} : { group }),
      pause: stop,
      resume: async () => {
        stream = await openStream(url, inbox, member);
      },
      close: stop,
    };
  }
}
