/**
 * Idempotency-Key: a retried publish returns the first result instead of storing the
 * message again, for `windowMs` after the first attempt (IETF draft
 * "The Idempotency-Key HTTP Header Field").
 *  - The key is scoped by principal and topic.
 *  - A retry while the first attempt is still running waits for its result.
 *  - Reusing a key with a different request (another body or headers) is refused: 422.
 *  - Only successful outcomes are kept; a failed attempt may be retried with the same key.
 * The window lives in this gateway node's memory (bounded by `maxEntries`).
 */
import { createHash } from 'node:crypto';
import { HttpError, HttpErrorCode } from './errors.js';
import type { Reply } from './route.js';

interface Entry {
  fingerprint: string;
  expiresAt: number;
  result: Promise<Reply>;
}

export const REPLAYED_HEADER = 'Idempotent-Replayed';

export class IdempotencyWindow {
  private readonly entries = new Map<string, Entry>();
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: { windowMs: number; maxEntries?: number; now?: () => number }) {
    this.windowMs = options.windowMs;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  static fingerprint(parts: Array<string | Buffer | undefined>): string {
    const hash = createHash('sha256');
    for (const part of parts) {
      hash.update(part === undefined ? '\u0000' : part);
      hash.update('\u0001');
    }
    return hash.digest('base64url');
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Runs `execute` once per key within the window; later calls with the same key get the
   * first reply (with `Idempotent-Replayed: true`).
   */
  async run(key: string, fingerprint: string, execute: () => Promise<Reply>): Promise<Reply> {
    if (this.windowMs <= 0) return execute();
    const now = this.now();
    this.expire(now);
    const existing = this.entries.get(key);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new HttpError(HttpErrorCode.IdempotencyKeyReused, 'Idempotency-Key was used for a different request', { key });
      }
      const first = await existing.result;
      return { ...first, headers: { ...first.headers, [REPLAYED_HEADER]: 'true' } };
    }
    const result = execute();
    const entry: Entry = { fingerprint, expiresAt: now + this.windowMs, result };
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.evictOldest();
    try {
      const reply = await result;
      if (reply.status >= 300 && reply.status !== 207) this.forget(key, entry);
      return reply;
    } catch (err) {
      this.forget(key, entry);
      throw err;
    }
  }

  private forget(key: string, entry: Entry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }

  /** entries are inserted in time order with one window, so the oldest are first */
  private expire(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
    }
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }

  clear(): void {
    this.entries.clear();
  }
}
