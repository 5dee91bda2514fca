/**
 * A new, empty slave of a master whose log retention already cut (its first segments are
 * deleted, its log starts past 0): the master serves it from its first retained byte, the
 * slave's log starts there, and the slave serves what the master still holds.
 */
import { rmSync } from 'node:fs';
import type { SendResult } from '../../../src/kernel/client/broker-api.js';
import { waitFor } from '../../helpers/kernel.js';
import { startCluster, type ClusterFixture } from '../helpers/cluster-fixture.js';

let c: ClusterFixture | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

test('an empty slave starts at the master\'s first retained byte when retention cut the master\'s log', async () => {
  c = await startCluster({ groups: [{ name: 'broker-a', slave: true, role: 'ASYNC_MASTER' }], broker: { segmentSize: 16 * 1024 } });
  const master = c.node('broker-a', 0);
  const first = c.node('broker-a', 1);
  await first.stop();
  rmSync(first.dataDir, { recursive: true, force: true }); // the slave comes back empty

  const sent: SendResult[] = [];
  const body = Buffer.alloc(1_000, 'x');
  for (let i = 0; i < 120; i++) sent.push(await c.api.send({ message: { topic: 'kept', body: Buffer.concat([Buffer.from(`m-${i} `), body]), keys: [`k-${i}`] }, queueId: 0 }));
  const report = await master.broker.store.runRetention(Date.now() + 365 * 24 * 3600_000);
  expect(report.deletedSegments).toBeGreaterThan(0);
  const masterMin = master.broker.store.commitLogMinOffset;
  expect(masterMin).toBeGreaterThan(0);

  const slave = await c.restart('broker-a', 1);
  await waitFor(() => slave.broker.store.commitLogMaxOffset === master.broker.store.commitLogMaxOffset, 10_000, 'the new slave caught up');
  expect(slave.broker.store.commitLogMinOffset).toBe(masterMin);
  const kept = sent.filter((r) => r.commitLogOffset >= masterMin);
  expect(kept.length).toBeGreaterThan(0);
  for (const r of kept) expect((await slave.broker.viewMessage(r.msgId))?.body.subarray(0, 8).toString()).toMatch(/^m-\d+ /);
  // its queue starts at the first message it holds, and reads from there
  const firstKept = kept[0]!;
  expect(slave.broker.store.minOffset('kept', 0)).toBe(firstKept.queueOffset);
  const read = await slave.broker.store.get({ topic: 'kept', queueId: 0, offset: firstKept.queueOffset, maxMessages: 4 });
  expect(read.messages[0]?.msgId).toBe(firstKept.msgId);

  // and it follows the master from there
  const after = await c.api.send({ message: { topic: 'kept', body: Buffer.from('after') }, queueId: 0 });
  await waitFor(async () => (await slave.broker.viewMessage(after.msgId)) !== undefined, 10_000, 'a new message on the slave');

  // restarted on its directory, its log still starts there
  await slave.stop();
  const again = await c.restart('broker-a', 1);
  expect(again.broker.store.commitLogMinOffset).toBe(masterMin);
  const more = await c.api.send({ message: { topic: 'kept', body: Buffer.from('more') }, queueId: 0 });
  await waitFor(async () => (await again.broker.viewMessage(more.msgId)) !== undefined, 10_000, 'the restarted slave following');
  expect((await again.broker.viewMessage(firstKept.msgId))?.queueOffset).toBe(firstKept.queueOffset);
});
