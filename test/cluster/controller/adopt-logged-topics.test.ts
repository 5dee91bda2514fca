/**
 * adoptLoggedTopics (controlled-broker.ts): a replica about to become master gives every
 * topic its log holds a config with at least the queues the log shows, so the first send
 * does not auto-create the topic anew with the default queue count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adoptLoggedTopics } from '../../../src/cluster/controller/controlled-broker.js';
import { Broker } from '../../../src/kernel/broker/broker.js';
import { SCHEDULE_TOPIC } from '../../../src/kernel/broker/topic-names.js';

test('topics in the log without a config get one with the log\'s queues; configs already as large and the store\'s own topics are left alone', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-adopt-'));
  const broker = await Broker.open({ dataDir: dir, brokerName: 'broker-a', defaultQueueCount: 8, flushIntervalMs: 20 });
  try {
    // records as replication leaves them: in the log and the consume queues, no topic config
    for (const queueId of [0, 1, 2, 3]) await broker.store.put({ topic: 'replicated', body: Buffer.from(`r${queueId}`) }, { queueId });
    await broker.store.put({ topic: 'grown', body: Buffer.from('g') }, { queueId: 5 });
    await broker.topics.create({ topic: 'grown', queueCount: 2, order: true });
    await broker.topics.create({ topic: 'known', queueCount: 6 });
    await broker.store.put({ topic: 'known', body: Buffer.from('k') }, { queueId: 1 });
    await broker.store.put({ topic: SCHEDULE_TOPIC, body: Buffer.from('s') }, { queueId: 2 });

    expect((await adoptLoggedTopics(broker)).sort()).toEqual(['grown', 'replicated']);
    expect(broker.topics.get('replicated')?.queueCount).toBe(4);
    expect(broker.topics.get('grown')).toMatchObject({ queueCount: 6, order: true });
    expect(broker.topics.get('known')?.queueCount).toBe(6);
    expect(broker.topics.get(SCHEDULE_TOPIC)).toBeUndefined();
    expect(await adoptLoggedTopics(broker)).toEqual([]);
    // the first send now keeps to the topic's 4 queues instead of auto-creating 8
    const sent = await Promise.all(Array.from({ length: 16 }, (_, i) => broker.send({ message: { topic: 'replicated', body: Buffer.from(`n${i}`) } })));
    expect(Math.max(...sent.map((s) => s.queueId))).toBe(3);
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
