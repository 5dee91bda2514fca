/**
 * Message counts of this adapter (its stats()) and the per-topic meters, moved together.
 */
import type { HttpMetrics } from './metrics.js';

export class Counters {
  messagesIn = 0;
  messagesOut = 0;

  constructor(private readonly metrics: HttpMetrics) {}

  in(topic: string, n = 1): void {
    this.messagesIn += n;
    this.metrics.messagesIn(topic, n);
  }

  out(topic: string, n = 1): void {
    this.messagesOut += n;
    this.metrics.messagesOut(topic, n);
  }
}
