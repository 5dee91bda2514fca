/**
 * A server-sent-events reader over fetch (WHATWG HTML §9.2 event stream format):
 * `event:` / `data:` / `id:` lines, a blank line dispatches; `:` lines are comments.
 */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export interface SseReader {
  /** resolves once the response headers arrived (the stream is open) */
  opened: Promise<void>;
  /** resolves when the stream ended or was closed */
  done: Promise<void>;
  close(): void;
}

export function readSse(url: string, onEvent: (e: SseEvent) => void): SseReader {
  const abort = new AbortController();
  let opened!: () => void;
  let failed!: (err: unknown) => void;
  const openedPromise = new Promise<void>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  const done = (async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
      if (res.status !== 200 || !res.body) throw new Error(`SSE ${url}: ${res.status} ${await res.text()}`);
      opened();
      const decoder = new TextDecoder();
      let text = '';
      let event: SseEvent = { event: 'message', data: '' };
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = text.indexOf('\n')) >= 0) {
          const line = text.slice(0, nl).replace(/\r$/, '');
          text = text.slice(nl + 1);
          if (line === '') {
            if (event.data !== '') onEvent({ ...event, data: event.data.replace(/\n$/, '') });
            event = { event: 'message', data: '' };
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event.event = value;
            else if (field === 'data') event.data += `${value}\n`;
            else if (field === 'id') event.id = value;
          }
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) {
        failed(err);
        throw err;
      }
    }
  })();
  done.catch(() => undefined);
  return { opened: openedPromise, done: done.catch(() => undefined), close: () => abort.abort() };
}
