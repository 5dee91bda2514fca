import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEmbeddedKernel } from '../../../src/kernel/embedded.js';
const kernel = await openEmbeddedKernel({ dataDir: mkdtempSync(path.join(tmpdir(), 'kb-')) });
const p = kernel.client.createProducer();
const N = 40000; const body = Buffer.alloc(256);
const msg = () => ({ topic: 'kb', body, properties: { 'mqtt.qos': '1', 'mqtt.clientId': 'x' }, shardingKey: 'x' });
const q = (await p.send(msg())).queueId;
const c = kernel.client.createPullConsumer({ group: 'g' });
async function run(batch: number, pullBatch: number) {
  let offset = (await kernel.client.brokerApi.topicStats('kb'))!.queues[q]!.maxOffset;
  let got = 0; const t0 = performance.now();
  const reading = (async () => { while (got < N) { const r = await c.pull({ topic: 'kb', queueId: q, offset, maxMessages: pullBatch, suspendMs: 1000 }); got += r.messages.length; offset = r.nextBeginOffset; } })();
  const inflight = new Set<Promise<unknown>>();
  for (let i = 0; i < N; i += batch) {
    const s = batch === 1 ? p.send(msg()) : p.sendBatch(Array.from({ length: batch }, msg));
    inflight.add(s); void s.then(() => inflight.delete(s));
    if (inflight.size * batch >= 256) await Promise.race(inflight);
  }
  await Promise.all(inflight); const t1 = performance.now(); await reading; const t2 = performance.now();
  console.log({ batch, pullBatch, sendPerSec: Math.round(N / ((t1 - t0) / 1000)), endToEndPerSec: Math.round(N / ((t2 - t0) / 1000)) });
}
await run(1, 64); await run(1, 256); await run(16, 64); await run(32, 256);
await kernel.close();
