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

/** who a stream serves, for the admin API's connection list */
export interface SseStreamInfo {
  clientId: string;
  topic: string;
  group: string;
  user: string | null;
  remoteAddress: string;
  openedAt: number;
}

export class SseHub {
  private readonly streams = new Set<SseStream>();
  private readonly infos = new Map<SseStream, SseStreamInfo>();
  private readonly cleanups = new Set<Promise<void>>();

  constructor(private readonly metrics: HttpMetrics) {}

  get size(): number {
    return this.streams.size;
  }

  /** `cleanup` releases the stream's kernel consumers once it closes */
  add(stream: SseStream, cleanup: () => Promise<void>, info?: SseStreamInfo): void {
    this.streams.add(stream);
    if (info) this.infos.set(stream, info);
    this.metrics.sseOpened();
    stream.onClose(() => {
      this.streams.delete(stream);
      this.infos.delete(stream);
      this.metrics.sseClosed();
      const done: Promise<void> = cleanup().catch(() => undefined).finally(() => this.cleanups.delete(done));
      this.cleanups.add(done);
    });
  }

  /** the open streams with what they serve */
  list(): Array<{ stream: SseStream; info: SseStreamInfo }> {
    return [...this.infos].filter(([stream]) => stream.isOpen).map(([stream, info]) => ({ stream, info }));
  }

  async closeAll(): Promise<void> {
    for (const stream of [...this.streams]) stream.close();
    await Promise.all([...this.cleanups]);
  }
}
