/**
 * Throughput through the RocketMQ 5 gRPC endpoint with Apache's Node.js client, next to
 * the kernel's in-process client on the same kernel in the same run (`ratio` = endpoint /
 * in-process). Client, endpoint and kernel share this one process (and its one core):
 *   send          Producer.send of 1 KiB messages, 32 in flight; also a bare gRPC client of
 *                 the same .proto files (`rawMsgsPerSec`), which shows what the Apache
 *                 client library itself costs
 *   send-raw      that bare client's SendMessage calls against the endpoint, next to the
 *                 same calls against a bare grpc-js echo server of the service
 *                 (echo-server.ts): `ratio` = endpoint / echo, what the endpoint and the
 *                 kernel cost on top of gRPC itself
 *   receive+ack   SimpleConsumer.receive (batch 32, invisible 60 s) of a 1 KiB backlog,
 *                 then one ack per message, all acks of a batch in flight together
 * Prints one JSON line per case: msgs/s of both, ratio, and the endpoint's per-operation
 * latency p50/p99 (ms).
 *
 *   npx tsx bench/rocketmq/throughput.ts [--messages 20000] [--inflight 32] [--batch 32]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { credentials, Metadata } from '@grpc/grpc-js';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { openAuthenticator } from '../../src/adapters/common/auth.js';
import { createRocketMqAdapter } from '../../src/adapters/rocketmq/index.js';
import { messagingService } from '../../src/adapters/rocketmq/proto.js';
import { openEmbeddedKernel, type EmbeddedKernel } from '../../src/kernel/embedded.js';
import { ConsumeFrom } from '../../src/kernel/index.js';
import { startEchoServer } from './echo-server.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) || fallback : fallback;
}

const MESSAGES = arg('messages', 20_000);
const INFLIGHT = arg('inflight', 32);
const BATCH = arg('batch', 32);
const BODY = Buffer.alloc(1024, 7);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

interface Run {
  msgsPerSec: number;
  latencies: number[];
}

/** `total` operations, `inflight` at a time; each op's latency recorded */
async function timed(total: number, inflight: number, op: (i: number) => Promise<number>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const t = process.hrtime.bigint();
      const n = await op(i);
      done += n;
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: inflight }, () => worker()));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { msgsPerSec: done / seconds, latencies: latencies.sort((a, b) => a - b) };
}

function report(bench: string, endpoint: Run, kernel: Run, extra: Record<string, unknown>, baseline = 'kernel'): void {
  process.stdout.write(`${JSON.stringify({
    bench, messages: MESSAGES, bodyBytes: BODY.length, ...extra,
    endpointMsgsPerSec: Math.round(endpoint.msgsPerSec), [`${baseline}MsgsPerSec`]: Math.round(kernel.msgsPerSec),
    ratio: Number((endpoint.msgsPerSec / kernel.msgsPerSec).toFixed(3)),
    endpointP50Ms: Number(percentile(endpoint.latencies, 50).toFixed(2)), endpointP99Ms: Number(percentile(endpoint.latencies, 99).toFixed(2)),
  })}\n`);
}

async function sendCase(kernel: EmbeddedKernel, endpoints: string): Promise<void> {
  await kernel.client.admin.createTopic({ topic: 'bench-send-grpc', queueCount: 8 });
  await kernel.client.admin.createTopic({ topic: 'bench-send-kernel', queueCount: 8 });
  await kernel.client.admin.createTopic({ topic: 'bench-send-raw', queueCount: 8 });
  const producer = new Producer({ endpoints, namespace: '', logger: silent, topics: ['bench-send-grpc'] });
  await producer.startup();
  try {
    await timed(500, INFLIGHT, async () => { await producer.send({ topic: 'bench-send-grpc', body: BODY }); return 1; }); // warm-up
    const endpoint = await timed(MESSAGES, INFLIGHT, async () => { await producer.send({ topic: 'bench-send-grpc', body: BODY }); return 1; });
    const raw = await rawSends(endpoints, 'bench-send-raw');
    const echoServer = await startEchoServer();
    const echo = await rawSends(echoServer.endpoints, 'bench-send-echo').finally(() => echoServer.stop());
    const inProcess = kernel.client.createProducer();
    const direct = await timed(MESSAGES, INFLIGHT, async () => { await inProcess.send({ topic: 'bench-send-kernel', body: BODY }); return 1; });
    await inProcess.shutdown();
    report('rocketmq-send', endpoint, direct, { inflight: INFLIGHT, rawMsgsPerSec: Math.round(raw.msgsPerSec), rawRatio: Number((raw.msgsPerSec / direct.msgsPerSec).toFixed(3)) });
    report('rocketmq-send-raw', raw, echo, { inflight: INFLIGHT }, 'grpcEcho');
  } finally {
    await producer.shutdown();
  }
}

/** SendMessage from a bare grpc-js client of the same service */
async function rawSends(endpoints: string, topic: string): Promise<Run> {
  const Service = messagingService();
  const client = new Service(endpoints, credentials.createInsecure()) as unknown as Record<string, (...args: unknown[]) => void> & { close(): void };
  const metadata = new Metadata();
  metadata.set('x-mq-client-id', 'bench-raw');
  let id = 0;
  const send = (): Promise<void> => new Promise((resolve, reject) => {
    const message = { topic: { name: topic }, body: BODY, systemProperties: { messageId: `BENCH${id++}`, messageType: 'NORMAL' } };
    client.SendMessage!({ messages: [message] }, metadata, (err: Error | null) => (err ? reject(err) : resolve()));
  });
  try {
    await timed(500, INFLIGHT, async () => { await send(); return 1; });
    return await timed(MESSAGES, INFLIGHT, async () => { await send(); return 1; });
  } finally {
    client.close();
  }
}

async function fill(kernel: EmbeddedKernel, topic: string): Promise<void> {
  await kernel.client.admin.createTopic({ topic, queueCount: 8 });
  const producer = kernel.client.createProducer();
  for (let i = 0; i < MESSAGES; i += 256) {
    await producer.sendBatch(Array.from({ length: Math.min(256, MESSAGES - i) }, () => ({ topic, body: BODY })));
  }
  await producer.shutdown();
}

async function receiveCase(kernel: EmbeddedKernel, endpoints: string): Promise<void> {
  const group = 'bench-pop-grpc';
  const consumer = new SimpleConsumer({ endpoints, namespace: '', logger: silent, consumerGroup: group, subscriptions: new Map([['bench-pop-grpc', '*']]), awaitDuration: 1_000 });
  await consumer.startup(); // the group exists from here: the backlog below is its
  await fill(kernel, 'bench-pop-grpc');
  await fill(kernel, 'bench-pop-kernel');
  try {
    let acked = 0;
    const endpoint = await timed(Math.ceil(MESSAGES / BATCH) + 8, 1, async () => {
      if (acked >= MESSAGES) return 0;
      const got = await consumer.receive(BATCH, 60_000);
      await Promise.all(got.map((m) => consumer.ack(m)));
      acked += got.length;
      return got.length;
    });
    const inProcess = kernel.client.createSimpleConsumer({ group: 'bench-pop-kernel-g', consumeFrom: ConsumeFrom.First });
    let kernelAcked = 0;
    const direct = await timed(Math.ceil(MESSAGES / BATCH) + 8, 1, async () => {
      if (kernelAcked >= MESSAGES) return 0;
      const got = await inProcess.receive({ topic: 'bench-pop-kernel', maxMessages: BATCH, invisibleMs: 60_000, waitMs: 1_000 });
      await Promise.all(got.map((m) => inProcess.ack(m.receiptHandle)));
      kernelAcked += got.length;
      return got.length;
    });
    report('rocketmq-receive-ack', endpoint, direct, { batch: BATCH, acked, kernelAcked });
  } finally {
    await consumer.shutdown();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-rocketmq-'));
  const kernel = await openEmbeddedKernel({ dataDir: dir, defaultQueueCount: 8 });
  const adapter = createRocketMqAdapter(
    { kernel: kernel.client, logger: pino({ level: 'silent' }), metrics: new Registry(), auth: openAuthenticator },
    { host: '127.0.0.1', port: 0, maxMessageSize: 4 * 1024 * 1024, autoCreateTopics: true, nodeId: 'bench' },
  );
  await adapter.start();
  const endpoints = `127.0.0.1:${adapter.addresses()[0]!.port}`;
  try {
    await sendCase(kernel, endpoints);
    await receiveCase(kernel, endpoints);
  } finally {
    await adapter.stop();
    await kernel.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
