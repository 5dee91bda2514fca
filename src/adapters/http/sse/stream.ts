/**
 * One server-sent-events response (WHATWG HTML §9.2): `text/event-stream`, events of
 * `id:`, `event:` and `data:` lines, comment lines as keep-alive. `send` respects
 * backpressure: it resolves once the socket took the bytes (or the stream closed).
 */
import type { Response } from 'express';

export interface SseEvent {
  id?: string;
  event?: string;
  /** one line of JSON */
  data: string;
}

export class SseStream {
  private open = true;
  /** `message` events sent (admin views) */
  messagesSent = 0;
  private lastWrite = Date.now();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly closeListeners: Array<() => void> = [];
  readonly closed: Promise<void>;

  constructor(private readonly res: Response, heartbeatMs: number, retryMs = 2_000) {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.write(`retry: ${retryMs}\n\n`);
    this.closed = new Promise((resolve) => this.closeListeners.push(resolve));
    res.once('close', () => this.markClosed());
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastWrite >= heartbeatMs) this.write(': keep-alive\n\n');
    }, Math.max(50, Math.floor(heartbeatMs / 2)));
    this.heartbeat.unref();
  }

  get isOpen(): boolean {
    return this.open;
  }

  onClose(listener: () => void): void {
    if (!this.open) listener();
    else this.closeListeners.push(listener);
  }

  async send(event: SseEvent): Promise<boolean> {
    if (!this.open) return false;
    if (event.event === 'message') this.messagesSent++;
    let text = '';
    if (event.id !== undefined) text += `id: ${event.id}\n`;
    if (event.event !== undefined) text += `event: ${event.event}\n`;
    text += `data: ${event.data}\n\n`;
    if (this.write(text)) return true;
    await Promise.race([new Promise((resolve) => this.res.once('drain', resolve)), this.closed]);
    return this.open;
  }

  /** ends the response (server side) */
  close(): void {
    if (!this.open) return;
    this.res.end();
    this.markClosed();
  }

  private write(text: string): boolean {
    if (!this.open) return false;
    this.lastWrite = Date.now();
    return this.res.write(text);
  }

  private markClosed(): void {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.heartbeat);
    const listeners = this.closeListeners.splice(0);
    for (const l of listeners) l();
  }
}
