/**
 * Store throughput, as JSON lines (one per scenario), each against a raw ceiling
 * measured in the same run on the same disk:
 *   async-append  64 concurrent appenders of 1 KiB messages, async flush; raw = plain
 *                 sequential writes of the same bytes, 64 records per write (what the
 *                 appenders have outstanding; the store may cut it into smaller batches)
 *   sync-append   64 concurrent appenders, sync flush (fdatasync per group commit); raw =
 *                 sequential writes of 64 records each followed by one fdatasync
 *   cold-read     reopen a store holding 1M messages and read them all in order; raw =
 *                 sequential 1 MiB reads of the same commit log files
 * The append scenarios run ROUNDS store/raw pairs and print medians (`ratio` is the median
 * of the rounds' ratios, `roundRatios` each one), as the machine may be shared.
 * Run: npx tsx bench/store/append.ts [async|sync|read]
 *   (env: BENCH_MESSAGES, BENCH_SYNC_MESSAGES, BENCH_BACKLOG, BENCH_ROUNDS)
 */
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageStore } from '../../src/kernel/store/message-store.js';
import { GetStatus } from '../../src/kernel/store/results.js';
import { FlushMode } from '../../src/kernel/store/store-api.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300_000);
const SYNC_MESSAGES = Number(process.env.BENCH_SYNC_MESSAGES ?? 30_000);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 1_000_000);
const APPENDERS = 64;
/** store/raw pairs per append scenario; the printed figures are their medians */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BODY = Buffer.alloc(1024, 0x62);
const MB = 1024 * 1024;

interface AppendRun {
  seconds: number;
  bytes: number;
  batches: number;
  recordSize: number;
}

async function appendRun(dir: string, flushMode: FlushMode, count: number): Promise<AppendRun> {
  const store = await MessageStore.open({ dataDir: dir, flushMode });
  let next = 0;
  let recordSize = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: APPENDERS }, async () => {
      while (next < count) {
        next++;
        recordSize = (await store.put({ topic: 'bench', body: BODY, tag: 'TagA' }, { queueId: 0 })).storeSize;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const stats = store.stats();
  await store.close();
  return { seconds, bytes: stats.commitLogMaxOffset, batches: stats.batches, recordSize };
}

/** Sequential positional writes of `total` bytes in `chunk`-byte writes; fdatasync every write if `sync`. */
async function rawWrite(dir: string, total: number, chunk: number, sync: boolean): Promise<number> {
  const fh = await open(join(dir, 'raw'), 'w');
  const buf = Buffer.alloc(chunk, 0x63);
  const start = performance.now();
  for (let pos = 0; pos < total; pos += chunk) {
    await fh.write(buf, 0, Math.min(chunk, total - pos), pos);
    if (sync) await fh.datasync();
  }
  const seconds = (performance.now() - start) / 1000;
  await fh.close();
  await rm(join(dir, 'raw'));
  return seconds;
}

/**
 * Store run and raw run side by side, ROUNDS times (the machine is shared: a single pair
 * can land on a quiet and a busy moment); prints the medians and every round's ratio.
 */
async function appendScenario(root: string, name: string, mode: FlushMode, count: number): Promise<void> {
  const rounds: Array<{ mbps: number; rawMBps: number; msgsPerSec: number; batchMessages: number; rawChunk: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const dir = await mkdtemp(join(root, `${name}-`));
    const run = await appendRun(dir, mode, count);
    // what the appenders have outstanding, whatever batches the store cut it into
    const rawChunk = APPENDERS * run.recordSize;
    const rawSeconds = await rawWrite(dir, run.bytes, rawChunk, mode === FlushMode.Sync);
    await rm(dir, { recursive: true, force: true });
    rounds.push({ mbps: run.bytes / MB / run.seconds, rawMBps: run.bytes / MB / rawSeconds, msgsPerSec: count / run.seconds, batchMessages: count / run.batches, rawChunk });
  }
  const ratios = rounds.map((x) => x.mbps / x.rawMBps);
  print({
    scenario: name, messages: count, appenders: APPENDERS, rounds: ROUNDS, msgsPerSec: Math.round(median(rounds.map((x) => x.msgsPerSec))), MBps: round(median(rounds.map((x) => x.mbps))),
    avgBatchMessages: round(median(rounds.map((x) => x.batchMessages))), rawChunkBytes: rounds[0]!.rawChunk, rawMBps: round(median(rounds.map((x) => x.rawMBps))),
    roundRatios: ratios.map(round), ratio: round(median(ratios)),
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function coldReadScenario(root: string): Promise<void> {
  const dir = await mkdtemp(join(root, 'cold-read-'));
  let store = await MessageStore.open({ dataDir: dir, flushMode: FlushMode.Async });
  const batch = Array.from({ length: 64 }, () => ({ topic: 'bench', body: BODY, tag: 'TagA' }));
  let written = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (written < BACKLOG) {
      written += batch.length;
      await store.putBatch(batch, { queueId: 0 });
    }
  }));
  const total = store.maxOffset('bench', 0);
  await store.close();

  store = await MessageStore.open({ dataDir: dir, flushMode: FlushMode.Async });
  const start = performance.now();
  let offset = 0;
  let read = 0;
  let bytes = 0;
  while (offset < total) {
    const r = await store.get({ topic: 'bench', queueId: 0, offset, maxMessages: 256 });
    if (r.status !== GetStatus.Found) throw new Error(`read stopped at ${offset}: ${r.status}`);
    read += r.messages.length;
    for (const m of r.messages) bytes += m.storeSize;
    offset = r.nextBeginOffset;
  }
  const seconds = (performance.now() - start) / 1000;
  await store.close();

  const logDir = join(dir, 'commitlog');
  const rawStart = performance.now();
  const chunk = Buffer.allocUnsafe(MB);
  let rawBytes = 0;
  for (const name of (await readdir(logDir)).sort()) {
    const fh = await open(join(logDir, name), 'r');
    for (let pos = 0; ; pos += MB) {
      const { bytesRead } = await fh.read(chunk, 0, MB, pos);
      rawBytes += bytesRead;
      if (bytesRead < MB || rawBytes >= bytes) break;
    }
    await fh.close();
    if (rawBytes >= bytes) break;
  }
  const rawSeconds = (performance.now() - rawStart) / 1000;
  await rm(dir, { recursive: true, force: true });
  const mbps = bytes / MB / seconds;
  const rawMBps = rawBytes / MB / rawSeconds;
  print({ scenario: 'cold-read', messages: read, batch: 256, msgsPerSec: Math.round(read / seconds), MBps: round(mbps), rawMBps: round(rawMBps), ratio: round(mbps / rawMBps) });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function print(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'rocketgate-bench-store-'));
  try {
    const only = process.argv[2];
    if (!only || only === 'async') await appendScenario(root, 'async-append', FlushMode.Async, MESSAGES);
    if (!only || only === 'sync') await appendScenario(root, 'sync-append', FlushMode.Sync, SYNC_MESSAGES);
    if (!only || only === 'read') await coldReadScenario(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

void main();
