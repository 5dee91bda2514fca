/**
 * An embedded kernel on a fresh temp directory, with fast timers, for tests that need
 * a real broker and store behind the client API.
 */
import { openEmbeddedKernel, type EmbeddedKernel, type EmbeddedKernelOptions } from '../../src/kernel/embedded.js';
import type { KernelClient } from '../../src/kernel/index.js';
import { makeTempDir } from './temp-dir.js';

export interface TestKernel {
  client: KernelClient;
  kernel: EmbeddedKernel;
  dataDir: string;
  /** closes the kernel; the data directory stays until `cleanup` */
  close(): Promise<void>;
  /** reopens the kernel on the same directory (a restart) */
  restart(): Promise<TestKernel>;
  cleanup(): Promise<void>;
}

export const FAST_KERNEL: Partial<EmbeddedKernelOptions> = {
  flushIntervalMs: 50,
  consumerExpiryMs: 3_000,
  offsetPersistIntervalMs: 200,
  retryBackoffMs: [200, 300, 400, 500],
};

export async function startTestKernel(overrides: Partial<EmbeddedKernelOptions> = {}, dataDir?: string, removeDir?: () => void): Promise<TestKernel> {
  const temp = dataDir ? undefined : makeTempDir('rocketgate-kernel-');
  const dir = dataDir ?? temp!.dir;
  const remove = removeDir ?? temp?.cleanup;
  const kernel = await openEmbeddedKernel({ dataDir: dir, defaultQueueCount: 8, ...FAST_KERNEL, ...overrides });
  let closed = false;
  const handle: TestKernel = {
    client: kernel.client,
    kernel,
    dataDir: dir,
    close: async () => {
      if (closed) return;
      closed = true;
      await kernel.close();
    },
    restart: async () => {
      await handle.close();
      return startTestKernel(overrides, dir, remove);
    },
    cleanup: async () => {
      await handle.close();
      remove?.();
    },
  };
  return handle;
}

/** resolves when `predicate` holds, polling every 10 ms; rejects after `timeoutMs` */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
