/**
 * What a subscription received, in arrival order, with waits that wake on arrival
 * instead of polling, and `errors` a driver saw on the way (a bad signature, an
 * ERROR frame) so a check can report them rather than time out blind.
 */
import type { Received } from './types.js';

export class Inbox {
  readonly items: Received[] = [];
  readonly errors: string[] = [];
  private waiters = new Set<() => void>();

  push(message: Received): void {
    this.items.push(message);
    this.wake();
  }

  error(text: string): void {
    this.errors.push(text);
    this.wake();
  }

  /** resolves once `predicate` holds; rejects with `what` and what did arrive after `timeoutMs` */
  async until(predicate: (items: readonly Received[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.items)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const got = this.items.map((m) => describe(m)).slice(0, 8).join(', ');
        const errors = this.errors.length > 0 ? `; driver errors: ${this.errors.slice(0, 3).join(' | ')}` : '';
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${this.items.length}${got ? ` (${got}${this.items.length > 8 ? ', ...' : ''})` : ''}${errors}`);
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  /** the first `n` deliveries, once they arrived */
  async take(n: number, timeoutMs = 10_000): Promise<Received[]> {
    await this.until((items) => items.length >= n, timeoutMs, `${n} message${n === 1 ? '' : 's'}`);
    return this.items.slice(0, n);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** a short label of a delivery for error messages */
export function describe(m: Received): string {
  const text = m.body.length <= 24 ? m.body.toString('utf8') : `${m.body.subarray(0, 21).toString('utf8')}...`;
  return `${m.path}:${JSON.stringify(text)}`;
}
