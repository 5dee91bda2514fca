/**
 * The last 15 minutes of message rates per protocol, kept by the server so a dashboard
 * opened now sees the recent past at once (GET /v1/admin/rates): every `intervalMs` the
 * per-protocol counters are read and the rates over the interval go into a ring buffer.
 */
import type { ProtocolStats } from './metrics.js';

export interface RateSample {
  /** epoch ms: the end of the interval */
  at: number;
  /** protocol → messages per second over the interval */
  in: Record<string, number>;
  out: Record<string, number>;
  /** protocol → open connections at `at` */
  connections: Record<string, number>;
}

export interface RateHistoryOptions {
  /** default 5 s */
  intervalMs?: number;
  /** default 15 min */
  windowMs?: number;
  now?: () => number;
}

export class RateHistory {
  readonly intervalMs: number;
  readonly windowMs: number;
  private readonly capacity: number;
  private readonly ring: Array<RateSample | undefined>;
  /** index of the next write */
  private head = 0;
  private prev: { at: number; protocols: Record<string, ProtocolStats> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly read: () => Record<string, ProtocolStats>, options: RateHistoryOptions = {}) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.capacity = Math.max(1, Math.ceil(this.windowMs / this.intervalMs));
    this.ring = new Array<RateSample | undefined>(this.capacity);
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** reads the counters once; from the second reading on, records the rates since the last */
  sample(): void {
    const at = this.now();
    const protocols = this.read();
    const prev = this.prev;
    this.prev = { at, protocols };
    if (!prev || at <= prev.at) return;
    const seconds = (at - prev.at) / 1000;
    const s: RateSample = { at, in: {}, out: {}, connections: {} };
    for (const [name, now] of Object.entries(protocols)) {
      const before = prev.protocols[name];
      // a counter that went down (the adapter restarted) counts from zero
      const delta = (key: 'messagesIn' | 'messagesOut'): number => (before && now[key] >= before[key] ? now[key] - before[key] : now[key]);
      s.in[name] = delta('messagesIn') / seconds;
      s.out[name] = delta('messagesOut') / seconds;
      s.connections[name] = now.connections;
    }
    this.ring[this.head] = s;
    this.head = (this.head + 1) % this.capacity;
  }

  /** oldest first, within the window */
  samples(): RateSample[] {
    const cutoff = this.now() - this.windowMs;
    const out: RateSample[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const s = this.ring[(this.head + i) % this.capacity];
      if (s && s.at >= cutoff) out.push(s);
    }
    return out;
  }
}
