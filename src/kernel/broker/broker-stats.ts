/**
 * Message counters per topic (in = stored, out = handed to consumers), for admin views
 * and metrics. Rates are derived by readers from successive snapshots.
 */
export interface TopicCounters {
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
  lastWrite: number;
}

export class BrokerStats {
  readonly topics = new Map<string, TopicCounters>();
  messagesIn = 0;
  messagesOut = 0;
  expired = 0;
  readonly startedAt = Date.now();

  recordIn(topic: string, count: number, bytes: number): void {
    const c = this.counters(topic);
    c.messagesIn += count;
    c.bytesIn += bytes;
    c.lastWrite = Date.now();
    this.messagesIn += count;
  }

  recordOut(topic: string, count: number, bytes: number): void {
    if (count === 0) return;
    const c = this.counters(topic);
    c.messagesOut += count;
    c.bytesOut += bytes;
    this.messagesOut += count;
  }

  private counters(topic: string): TopicCounters {
    let c = this.topics.get(topic);
    if (!c) this.topics.set(topic, (c = { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0, lastWrite: 0 }));
    return c;
  }
}
