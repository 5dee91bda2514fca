/**
 * Pop consumption throughput, in-process: a backlog of 1 KiB messages over 8 queues is
 * received and acked by SimpleConsumers (receive batch 32, then one ack per message),
 * with 1 and with 8 concurrent receivers. Every receive and ack waits for the pop state's
 * group commit (one fdatasync per batch), so this measures the durable path.
 * Prints one JSON line per case: msgs/s received and acked, and ack latency p50/p99.
 *
 *   npx tsx bench/kernel/pop.ts [--messages 20000] [--batch 32]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEmbeddedKernel, type EmbeddedKernel } from '../../src/kernel/embedded.js';
import { ConsumeFrom } from '../../src/kernel/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) || fallback : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function fill(kernel: EmbeddedKernel, topic: string, messages: number): Promise<void> {
  await kernel.client.admin.createTopic({ topic, queueCount: 8 });
  const producer = kernel.client.createProducer();
  const body = Buffer.alloc(1024, 7);
  for (let i = 0; i < messages; i += 64) {
    const batch = [];
    for (let j = i; j < Math.min(messages, i + 64); j++) batch.push(producer.send({ topic, body }));
    await Promise.all(batch);
  }
}

async function popCase(receivers: number, messages: number, batch: number): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-pop-'));
  const kernel = await openEmbeddedKernel({ dataDir: dir, defaultQueueCount: 8 });
  try {
    await fill(kernel, 'bench-pop', messages);
    const ackLatencies: number[] = [];
    let acked = 0;
    let receives = 0;
    const started = process.hrtime.bigint();
    const worker = async (): Promise<void> => {
      const consumer = kernel.client.createSimpleConsumer({ group: 'bench-pop-g', consumeFrom: ConsumeFrom.First });
      while (acked < messages) {
        const got = await consumer.receive({ topic: 'bench-pop', maxMessages: batch, invisibleMs: 60_000, waitMs: 200 });
        receives++;
        await Promise.all(got.map(async (m) => {
          const t = process.hrtime.bigint();
          await consumer.ack(m.receiptHandle);
          ackLatencies.push(Number(process.hrtime.bigint() - t) / 1e6);
          acked++;
        }));
        if (got.length === 0 && acked >= messages) break;
      }
    };
    await Promise.all(Array.from({ length: receivers }, () => worker()));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    ackLatencies.sort((a, b) => a - b);
    console.log(JSON.stringify({
      bench: 'pop-receive-ack', receivers, messages, batch, bodyBytes: 1024, receives,
      seconds: Number(seconds.toFixed(3)), msgsPerSec: Math.round(messages / seconds),
      ackP50Ms: Number(percentile(ackLatencies, 50).toFixed(2)), ackP99Ms: Number(percentile(ackLatencies, 99).toFixed(2)),
    }));
  } finally {
    await kernel.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const messages = arg('messages', 20_000);
const batch = arg('batch', 32);
for (const receivers of [1, 8]) await popCase(receivers, messages, batch);
