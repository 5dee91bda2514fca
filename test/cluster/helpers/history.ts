/**
 * A history checker for fault tests (Jepsen-style, small): what the producers were told
 * (acknowledged sends with their queue and offset, failed ones), what consumers got, what
 * the store holds afterwards, and committed offsets as they were seen over time.
 *
 *   lost            acknowledged, never delivered (must be 0 in sync modes)
 *   missingInStore  acknowledged, not in the store read afterwards (must be 0)
 *   misplaced       stored, but at no copy at the queue/offset the acknowledgement said
 *   duplicates      deliveries beyond the first of a message (allowed, counted)
 *   orderViolations a queue's first deliveries out of queue-offset order
 *   offsetRegressions  a queue's committed offset seen lower than before
 */
export interface Placed {
  /** the payload's own id (the body), unique per send */
  id: string;
  queueId: number;
  queueOffset: number;
}

export interface HistoryReport {
  attempted: number;
  acked: number;
  failed: number;
  delivered: number;
  lost: string[];
  missingInStore: string[];
  misplaced: string[];
  duplicates: number;
  orderViolations: number;
  offsetRegressions: number;
}

export class History {
  readonly acked = new Map<string, Placed>();
  readonly failed = new Set<string>();
  private attempted = 0;
  private readonly deliveries: Placed[] = [];
  private readonly lastOffset = new Map<string, number>();
  private regressions = 0;

  attempt(): void {
    this.attempted++;
  }

  ackedSend(p: Placed): void {
    this.acked.set(p.id, p);
  }

  failedSend(id: string): void {
    this.failed.add(id);
  }

  delivered(p: Placed): void {
    this.deliveries.push(p);
  }

  get deliveredIds(): Set<string> {
    return new Set(this.deliveries.map((d) => d.id));
  }

  /** a committed offset seen now (admin lag view) */
  offsetSeen(topic: string, queueId: number, offset: number): void {
    const key = `${topic}\u0000${queueId}`;
    const before = this.lastOffset.get(key);
    if (before !== undefined && offset < before) this.regressions++;
    this.lastOffset.set(key, Math.max(before ?? offset, offset));
  }

  check(stored: Placed[]): HistoryReport {
    const delivered = this.deliveredIds;
    // a send retried after a refusal that still stored it (SLAVE_NOT_AVAILABLE) is stored more than once
    const storedById = new Map<string, Placed[]>();
    for (const s of stored) storedById.set(s.id, [...(storedById.get(s.id) ?? []), s]);
    const firstSeen = new Set<string>();
    const highest = new Map<number, number>();
    let orderViolations = 0;
    for (const d of this.deliveries) {
      if (firstSeen.has(d.id)) continue;
      firstSeen.add(d.id);
      const top = highest.get(d.queueId) ?? -1;
      if (d.queueOffset < top) orderViolations++;
      highest.set(d.queueId, Math.max(top, d.queueOffset));
    }
    const acked = [...this.acked.values()];
    return {
      attempted: this.attempted,
      acked: acked.length,
      failed: this.failed.size,
      delivered: delivered.size,
      lost: acked.filter((a) => !delivered.has(a.id)).map((a) => a.id),
      missingInStore: acked.filter((a) => !storedById.has(a.id)).map((a) => a.id),
      misplaced: acked.filter((a) => {
        const copies = storedById.get(a.id);
        return copies !== undefined && !copies.some((s) => s.queueId === a.queueId && s.queueOffset === a.queueOffset);
      }).map((a) => a.id),
      duplicates: this.deliveries.length - delivered.size,
      orderViolations,
      offsetRegressions: this.regressions,
    };
  }
}
