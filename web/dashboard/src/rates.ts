/**
 * Message rates per protocol. The server keeps the last 15 minutes (GET /v1/admin/rates,
 * a sample every few seconds), so the chart is full when the page opens; from then on the
 * page samples the admin API's counters itself (GET /v1/connections: messagesIn /
 * messagesOut per protocol) more often, and keeps its samples across a reload of the tab
 * (sessionStorage) for servers that keep no history.
 */
import { request } from './api.js';
import type { ProtocolStats, ServerRateSample } from './types.js';

export const WINDOW_MS = 15 * 60_000;
export const SAMPLE_MS = 2_000;
const STORAGE_KEY = 'rocketgate.dashboard.rates';

export interface RateSample {
  /** epoch ms */
  at: number;
  /** protocol → messages per second over the interval that ends at `at` */
  in: Record<string, number>;
  out: Record<string, number>;
}

export interface Snapshot {
  at: number;
  protocols: Record<string, ProtocolStats>;
}

/** Counter deltas over time; a counter that went down (restart) restarts from zero. */
export function ratesBetween(prev: Snapshot, next: Snapshot): RateSample {
  const seconds = Math.max(0.001, (next.at - prev.at) / 1000);
  const sample: RateSample = { at: next.at, in: {}, out: {} };
  for (const [protocol, now] of Object.entries(next.protocols)) {
    const before = prev.protocols[protocol];
    const dIn = before && now.messagesIn >= before.messagesIn ? now.messagesIn - before.messagesIn : now.messagesIn;
    const dOut = before && now.messagesOut >= before.messagesOut ? now.messagesOut - before.messagesOut : now.messagesOut;
    sample.in[protocol] = dIn / seconds;
    sample.out[protocol] = dOut / seconds;
  }
  return sample;
}

/** Tracks counters by name (topics' max offsets) and answers each one's rate per second. */
export class RateTracker {
  private readonly last = new Map<string, { at: number; value: number; rate?: number }>();

  update(values: Record<string, number>, at = Date.now()): Record<string, number | undefined> {
    const out: Record<string, number | undefined> = {};
    for (const [name, value] of Object.entries(values)) {
      const prev = this.last.get(name);
      if (!prev) {
        this.last.set(name, { at, value });
      } else if (at - prev.at >= 1000) {
        const r = value >= prev.value ? ((value - prev.value) * 1000) / (at - prev.at) : undefined;
        this.last.set(name, r === undefined ? { at, value } : { at, value, rate: r });
      }
      out[name] = this.last.get(name)?.rate;
    }
    return out;
  }
}

type Listener = () => void;

class ProtocolRates {
  samples: RateSample[] = [];
  latest: Snapshot | undefined;
  error: string | undefined;
  private prev: Snapshot | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<Listener>();

  constructor() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as { samples: RateSample[]; prev?: Snapshot } | null;
      if (saved && Array.isArray(saved.samples)) {
        this.samples = saved.samples.filter((s) => s.at > Date.now() - WINDOW_MS);
        this.prev = saved.prev;
      }
    } catch {
      sessionStorage.removeItem(STORAGE_KEY);
    }
  }

  /** the server's history first, then the page's own samples after it */
  private async loadHistory(): Promise<void> {
    try {
      const { samples } = await request<{ samples: ServerRateSample[] }>('/v1/admin/rates');
      const cutoff = Date.now() - WINDOW_MS;
      const kept = samples.filter((s) => s.at > cutoff).map(({ at, in: i, out }) => ({ at, in: i, out }));
      if (kept.length === 0) return;
      const lastServer = kept[kept.length - 1]!.at;
      this.samples = [...kept, ...this.samples.filter((s) => s.at > lastServer)];
    } catch {
      // an older server, or no right to it: the page's own samples only
    }
  }

  /** samples every SAMPLE_MS until stop(); listeners hear of each sample */
  start(): void {
    if (this.timer !== undefined) return;
    let first = true;
    const tick = async (): Promise<void> => {
      if (first) {
        first = false;
        await this.loadHistory();
      }
      try {
        const { protocols } = await request<{ protocols: Record<string, ProtocolStats> }>('/v1/connections');
        const snapshot: Snapshot = { at: Date.now(), protocols };
        // a gap (tab asleep, server restarted) would show as one long flat interval: start over there
        if (this.prev && snapshot.at - this.prev.at < SAMPLE_MS * 5) this.samples.push(ratesBetween(this.prev, snapshot));
        this.prev = snapshot;
        this.latest = snapshot;
        this.error = undefined;
        const cutoff = snapshot.at - WINDOW_MS;
        while (this.samples.length > 0 && this.samples[0]!.at < cutoff) this.samples.shift();
        sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ samples: this.samples, prev: this.prev }));
      } catch (err) {
        this.error = err instanceof Error ? err.message : String(err);
      }
      for (const l of this.listeners) l();
      if (this.timer !== undefined) this.timer = setTimeout(() => void tick(), SAMPLE_MS);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protocols(): string[] {
    const names = new Set<string>(Object.keys(this.latest?.protocols ?? {}));
    for (const s of this.samples) for (const p of Object.keys(s.in)) names.add(p);
    return [...names].sort();
  }
}

export const protocolRates = new ProtocolRates();
