/**
 * SSE event ids: where a stream stands in every queue of its topic, so Last-Event-ID can
 * resume it without loss. Format: `<queueId>:<offset>` pairs joined by `,`, sorted by
 * queue id, where offset is the last queue offset delivered on that queue (-1 before the
 * first). A resumed stream reads each queue from offset + 1.
 */
import { HttpError, HttpErrorCode } from '../errors.js';

const PAIR = /^(\d{1,4}):(-?\d{1,16})$/;
const MAX_QUEUES = 1024;

export class EventPositions {
  private readonly delivered = new Map<number, number>();
  private cached: string | undefined;

  static parse(text: string): EventPositions {
    const positions = new EventPositions();
    const pairs = text.trim().split(',');
    if (pairs.length > MAX_QUEUES) throw invalid(text);
    for (const pair of pairs) {
      const m = PAIR.exec(pair.trim());
      if (!m) throw invalid(text);
      const queueId = Number(m[1]);
      const offset = Number(m[2]);
      if (offset < -1 || positions.delivered.has(queueId)) throw invalid(text);
      positions.delivered.set(queueId, offset);
    }
    return positions;
  }

  /** the position of `queueId`: last delivered offset, undefined when the id did not name the queue */
  get(queueId: number): number | undefined {
    return this.delivered.get(queueId);
  }

  /** moves forward only: an older offset (a redelivery) leaves the position as it is */
  advance(queueId: number, offset: number): void {
    const current = this.delivered.get(queueId);
    if (current !== undefined && current >= offset) return;
    this.delivered.set(queueId, offset);
    this.cached = undefined;
  }

  format(): string {
    this.cached ??= [...this.delivered].sort((a, b) => a[0] - b[0]).map(([q, o]) => `${q}:${o}`).join(',');
    return this.cached;
  }
}

function invalid(text: string): HttpError {
  return new HttpError(HttpErrorCode.InvalidLastEventId, 'Last-Event-ID must be "<queueId>:<offset>" pairs joined by ","', { lastEventId: text.slice(0, 200) });
}
