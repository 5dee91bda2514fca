/**
 * Kernel throughput, in-process (issue 4): produce → push-consume of 1 KiB messages over
 * 8 queues (msgs/s, latency p50/p99), and draining a 1 M backlog with a group of 4.
 * Each line carries a `ratio` against a baseline measured in the same run on the same
 * disk: the message store alone doing the same work (appends with the same 256 in
 * flight, round robin over 8 queues; reads of the same backlog, 64 per get), so the
 * ratio is what the broker and client layers keep of the store's speed.
 * Prints JSON lines. Usage: npx tsx bench/kernel/produce-consume.ts [--messages N] [--backlog N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEmbeddedKernel } from '../../src/kernel/embedded.js';
import { ConsumeFrom, ConsumeStatus } from '../../src/kernel/index.js';
import { MessageStore } from '../../src/kernel/store/message-store.js';
import { GetStatus } from '../../src/kernel/store/results.js';

const WINDOW = 256;
const QUEUES = 8;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** The store alone: `messages` appends of 1 KiB, WINDOW in flight, round robin over the queues. */
async function storeAppendBaseline(messages: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-kernel-store-'));
  const store = await MessageStore.open({ dataDir: dir });
  try {
    const body = Buffer.alloc(1024, 7);
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: WINDOW }, async () => {
      while (next < messages) {
        const queueId = next++ % QUEUES;
        await store.put({ topic: 'bench', body, bornTimestamp: Date.now() }, { queueId });
      }
    }));
    return messages / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The store alone reading the backlog back: every queue from offset 0, 64 messages per get. */
async function storeReadBaseline(dataDir: string): Promise<number> {
  const store = await MessageStore.open({ dataDir });
  try {
    let read = 0;
    const started = process.hrtime.bigint();
    for (const queueId of store.queueIds('backlog')) {
      let offset = 0;
      for (;;) {
        const r = await store.get({ topic: 'backlog', queueId, offset, maxMessages: 64 });
        if (r.status !== GetStatus.Found) break;
        read += r.messages.length;
        offset = r.nextBeginOffset;
      }
    }
    return read / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await store.close();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

async function produceConsume(messages: number): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-kernel-'));
  const kernel = await openEmbeddedKernel({ dataDir: dir, defaultQueueCount: 8 });
  try {
    await kernel.client.admin.createTopic({ topic: 'bench', queueCount: 8 });
    const latencies: number[] = [];
    let received = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const consumer = kernel.client.createPushConsumer({ group: 'bench-g', consumeFrom: ConsumeFrom.First, consumeConcurrency: 64, pullBatchSize: 64 });
    consumer.subscribe('bench');
    await consumer.start(async (m) => {
      latencies.push(Date.now() - m.bornTimestamp);
      if (++received === messages) done();
      return ConsumeStatus.Success;
    });
    const producer = kernel.client.createProducer();
    const body = Buffer.alloc(1024, 7);
    const started = process.hrtime.bigint();
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < messages; i++) {
      const p = producer.send({ topic: 'bench', body }).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= WINDOW) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const produced = Number(process.hrtime.bigint() - started) / 1e9;
    await finished;
    const total = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    await consumer.shutdown();
    await kernel.close();
    const baseline = await storeAppendBaseline(messages);
    console.log(JSON.stringify({
      bench: 'kernel', scenario: 'produce-push-consume-1KiB-8-queues', messages, produceMsgsPerSec: Math.round(messages / produced),
      endToEndMsgsPerSec: Math.round(messages / total), latencyP50Ms: percentile(latencies, 50), latencyP99Ms: percentile(latencies, 99),
      baselineStoreAppendMsgsPerSec: Math.round(baseline), produceRatio: round(messages / produced / baseline), ratio: round(messages / total / baseline),
    }));
  } finally {
    await kernel.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function drainBacklog(backlog: number): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-kernel-'));
  let kernel = await openEmbeddedKernel({ dataDir: dir, defaultQueueCount: 8 });
  try {
    await kernel.client.admin.createTopic({ topic: 'backlog', queueCount: 8 });
    const producer = kernel.client.createProducer();
    const body = Buffer.alloc(1024, 1);
    for (let i = 0; i < backlog; i += 512) {
      const batch = Array.from({ length: Math.min(512, backlog - i) }, () => ({ topic: 'backlog', body }));
      await producer.sendBatch(batch);
    }
    await kernel.close();
    kernel = await openEmbeddedKernel({ dataDir: dir, defaultQueueCount: 8 });
    let received = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const consumers = Array.from({ length: 4 }, () => kernel.client.createPushConsumer({ group: 'drain', consumeFrom: ConsumeFrom.First, consumeConcurrency: 64, pullBatchSize: 64, rebalanceIntervalMs: 200 }));
    const started = process.hrtime.bigint();
    for (const c of consumers) {
      c.subscribe('backlog');
      await c.start(async () => {
        if (++received === backlog) done();
        return ConsumeStatus.Success;
      });
    }
    await finished;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const heapUsedMB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
    await Promise.all(consumers.map((c) => c.shutdown()));
    await kernel.close();
    const baseline = await storeReadBaseline(path.join(dir, 'store'));
    console.log(JSON.stringify({
      bench: 'kernel', scenario: 'drain-backlog-group-of-4', messages: backlog, seconds: Number(seconds.toFixed(2)), msgsPerSec: Math.round(backlog / seconds),
      heapUsedMB, baselineStoreReadMsgsPerSec: Math.round(baseline), ratio: round(backlog / seconds / baseline),
    }));
  } finally {
    await kernel.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await produceConsume(arg('messages', 200_000));
await drainBacklog(arg('backlog', 1_000_000));
