import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEmbeddedKernel } from '../../../src/kernel/embedded.js';
const dir = mkdtempSync(path.join(tmpdir(), 'kb-'));
const kernel = await openEmbeddedKernel({ dataDir: dir });
const p = kernel.client.createProducer();
const N = 40000;
const body = Buffer.alloc(256);
await p.send({ topic: 'kb', body, properties: { 'mqtt.qos': '1', 'mqtt.clientId': 'x' }, shardingKey: 'x' });
const c = kernel.client.createPullConsumer({ group: 'g' });
const q = (await p.send({ topic: 'kb', body, shardingKey: 'x' })).queueId;
let offset = (await kernel.client.brokerApi.topicStats('kb'))!.queues[q]!.maxOffset;
let got = 0;
const t0 = performance.now();
const reading = (async () => {
  while (got < N) {
    const r = await c.pull({ topic: 'kb', queueId: q, offset, maxMessages: 64, suspendMs: 1000 });
    got += r.messages.length; offset = r.nextBeginOffset;
  }
})();
const inflight = new Set<Promise<unknown>>();
for (let i = 0; i < N; i++) {
  const s = p.send({ topic: 'kb', body, properties: { 'mqtt.qos': '1', 'mqtt.clientId': 'x' }, shardingKey: 'x' });
  inflight.add(s); void s.then(() => inflight.delete(s));
  if (inflight.size >= 256) await Promise.race(inflight);
}
await Promise.all(inflight);
const t1 = performance.now();
await reading;
const t2 = performance.now();
console.log({ sendPerSec: Math.round(N / ((t1 - t0) / 1000)), endToEndPerSec: Math.round(N / ((t2 - t0) / 1000)) });
await kernel.close();
