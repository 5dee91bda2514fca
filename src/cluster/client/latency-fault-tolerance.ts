/**
 * Latency fault tolerance (RocketMQ's MQFaultStrategy + LatencyFaultToleranceImpl): after
 * each call to a broker group, its latency picks how long the group is avoided by sends:
 *
 *   latency >=   50  100  550  1000  2000  3000  15000 ms
 *   avoided      0    0    30s  60s   120s  180s  600s
 *
 * A failed call counts as `isolationLatencyMs` (30 s: avoided for the longest time). An
 * avoided group is still used when every group is avoided (`pickOneAtLeast`: the ones
 * that come back soonest, by latency). Both tables are options, so tests run a fast profile.
 */
export interface FaultToleranceOptions {
  latencyMaxMs?: readonly number[];
  notAvailableMs?: readonly number[];
  isolationLatencyMs?: number;
  now?: () => number;
}

export const DEFAULT_LATENCY_MAX_MS = [50, 100, 550, 1_000, 2_000, 3_000, 15_000] as const;
export const DEFAULT_NOT_AVAILABLE_MS = [0, 0, 30_000, 60_000, 120_000, 180_000, 600_000] as const;

interface FaultItem {
  name: string;
  latencyMs: number;
  /** available again from this time */
  availableAt: number;
}

export class LatencyFaultTolerance {
  private readonly items = new Map<string, FaultItem>();
  private readonly latencyMax: readonly number[];
  private readonly notAvailable: readonly number[];
  private readonly isolationLatency: number;
  private readonly now: () => number;
  private pick = 0;

  constructor(options: FaultToleranceOptions = {}) {
    this.latencyMax = options.latencyMaxMs ?? DEFAULT_LATENCY_MAX_MS;
    this.notAvailable = options.notAvailableMs ?? DEFAULT_NOT_AVAILABLE_MS;
    if (this.latencyMax.length !== this.notAvailable.length) throw new Error('latencyMaxMs and notAvailableMs must have the same length');
    this.isolationLatency = options.isolationLatencyMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** records a call's outcome; `failed` isolates the group */
  update(name: string, latencyMs: number, failed = false): void {
    const latency = failed ? this.isolationLatency : latencyMs;
    this.items.set(name, { name, latencyMs: latency, availableAt: this.now() + this.notAvailableFor(latency) });
  }

  isAvailable(name: string): boolean {
    const item = this.items.get(name);
    return !item || this.now() >= item.availableAt;
  }

  /** forgets what is known of a group (its master came back under a new address ...) */
  remove(name: string): void {
    this.items.delete(name);
  }

  /** among avoided groups, one of the better half (lowest latency, back soonest), round robin */
  pickOneAtLeast(among: readonly string[]): string | undefined {
    const now = this.now();
    const ranked = among
      .map((name) => this.items.get(name) ?? { name, latencyMs: 0, availableAt: 0 })
      .sort((a, b) => Number(now < a.availableAt) - Number(now < b.availableAt) || a.latencyMs - b.latencyMs || a.availableAt - b.availableAt);
    if (ranked.length === 0) return undefined;
    const half = ranked.slice(0, Math.max(1, Math.floor(ranked.length / 2)));
    return half[this.pick++ % half.length]!.name;
  }

  private notAvailableFor(latencyMs: number): number {
    for (let i = this.latencyMax.length - 1; i >= 0; i--) if (latencyMs >= this.latencyMax[i]!) return this.notAvailable[i]!;
    return 0;
  }
}
