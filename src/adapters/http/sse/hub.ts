/**
 * The open SSE streams of this adapter: counted for stats and metrics, ended on stop.
 */
import type { KernelClient } from '../../../kernel/index.js';
import type { HttpMetrics } from '../metrics.js';
import type { SseStream } from './stream.js';

/** per-connection groups are named so; see routes/events.ts */
export const SSE_GROUP_PREFIX = 'http-sse-';

/**
 * Per-connection groups left behind by a node that stopped without cleaning up (a crash):
 * those without a live member are deleted.
 */
export async function sweepStaleGroups(kernel: KernelClient): Promise<number> {
  const stale = (await kernel.admin.listGroups()).filter((g) => g.group.startsWith(SSE_GROUP_PREFIX) && g.members.length === 0);
  for (const g of stale) await kernel.admin.deleteGroup(g.group);
  return stale.length;
}

export class SseHub {
  private readonly streams = new Set<SseStream>();
  private readonly cleanups = new Set<Promise<void>>();

  constructor(private readonly metrics: HttpMetrics) {}

  get size(): number {
    return this.streams.size;
  }

  /** `cleanup` releases the stream's kernel consumers once it closes */
  add(stream: SseStream, cleanup: () => Promise<void>): void {
    this.streams.add(stream);
    this.metrics.sseOpened();
    stream.onClose(() => {
      this.streams.delete(stream);
      this.metrics.sseClosed();
      const done: Promise<void> = cleanup().catch(() => undefined).finally(() => this.cleanups.delete(done));
      this.cleanups.add(done);
    });
  }

  async closeAll(): Promise<void> {
    for (const stream of [...this.streams]) stream.close();
    await Promise.all([...this.cleanups]);
  }
}
