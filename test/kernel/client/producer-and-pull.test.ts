import { FilterType, GetStatus, KernelErrorCode } from '../../../src/kernel/index.js';
import { startTestKernel, waitFor, type TestKernel } from '../../helpers/kernel.js';

describe('producer, topics and pull', () => {
  let k: TestKernel;
  beforeEach(async () => {
    k = await startTestKernel();
  });
  afterEach(async () => {
    await k.cleanup();
  });

  test('send, batch and one-way land in the queue with every field', async () => {
    const producer = k.client.createProducer({ group: 'p1' });
    const single = await producer.send({ topic: 't', body: Buffer.from('one'), tag: 'a', keys: ['k1', 'k2'], properties: { région: 'eu' }, contentType: 'text/plain', shardingKey: 's' });
    const batch = await producer.sendBatch([1, 2, 3].map((i) => ({ topic: 't', body: Buffer.from(String(i)), shardingKey: 's' })));
    expect(batch.map((r) => r.queueId)).toEqual([single.queueId, single.queueId, single.queueId]);
    expect(batch.map((r) => r.queueOffset)).toEqual([1, 2, 3]);
    producer.sendOneway({ topic: 't', body: Buffer.from('oneway'), shardingKey: 's' });
    const pull = k.client.createPullConsumer({ group: 'reader' });
    const res = await pull.pull({ topic: 't', queueId: single.queueId, offset: 0, maxMessages: 10, suspendMs: 2_000 });
    expect(res.status).toBe(GetStatus.Found);
    const first = res.messages[0]!;
    expect(first.msgId).toBe(single.msgId);
    expect(first.tag).toBe('a');
    expect(first.keys).toEqual(['k1', 'k2']);
    expect(first.properties).toEqual({ région: 'eu' });
    expect(first.contentType).toBe('text/plain');
    expect(first.producerGroup).toBe('p1');
    const view = await k.client.admin.viewMessage(single.msgId);
    expect(view?.body.toString()).toBe('one');
    const byKey = await k.client.admin.queryMessagesByKey({ topic: 't', key: 'k2' });
    expect(byKey.map((m) => m.msgId)).toEqual([single.msgId]);
  });

  test('the same sharding key always maps to the same queue; no key spreads round-robin', async () => {
    const producer = k.client.createProducer();
    const keyed = await Promise.all(Array.from({ length: 20 }, () => producer.send({ topic: 'rr', body: Buffer.alloc(1), shardingKey: 'device-7' })));
    expect(new Set(keyed.map((r) => r.queueId)).size).toBe(1);
    const spread = [];
    for (let i = 0; i < 16; i++) spread.push(await producer.send({ topic: 'rr2', body: Buffer.alloc(1) }));
    expect(new Set(spread.map((r) => r.queueId)).size).toBe(8);
  });

  test('invalid topic names are refused with a clear error', async () => {
    const producer = k.client.createProducer();
    for (const bad of ['a/b', 'x+', '#', '', 'tab\there', 'x'.repeat(128)]) {
      await expect(producer.send({ topic: bad, body: Buffer.alloc(0) })).rejects.toMatchObject({ code: KernelErrorCode.InvalidTopic });
    }
    await expect(k.client.admin.createTopic({ topic: 'ok', queueCount: 0 })).rejects.toMatchObject({ code: KernelErrorCode.InvalidArgument });
  });

  test('reserved property names are refused', async () => {
    await expect(k.client.createProducer().send({ topic: 't', body: Buffer.alloc(0), properties: { TAGS: 'x' } })).rejects.toMatchObject({ code: KernelErrorCode.InvalidProperty });
  });

  test('with auto-create off an unknown topic is refused and a created one works', async () => {
    await k.close();
    k = await startTestKernel({ autoCreateTopics: false });
    const producer = k.client.createProducer();
    await expect(producer.send({ topic: 'unknown', body: Buffer.alloc(0) })).rejects.toMatchObject({ code: KernelErrorCode.TopicNotFound });
    await k.client.admin.createTopic({ topic: 'known', queueCount: 2 });
    await expect(producer.send({ topic: 'known', body: Buffer.alloc(0) })).resolves.toMatchObject({ topic: 'known' });
  });

  test('topics list, stats and delete', async () => {
    await k.client.admin.createTopic({ topic: 'stats', queueCount: 3 });
    const producer = k.client.createProducer();
    for (let i = 0; i < 6; i++) await producer.send({ topic: 'stats', body: Buffer.alloc(10) });
    const stats = await k.client.admin.topicStats('stats');
    expect(stats?.queueCount).toBe(3);
    expect(stats?.messageCount).toBe(6);
    expect(stats?.queues.map((q) => q.maxOffset)).toEqual([2, 2, 2]);
    expect((await k.client.admin.listTopics()).map((t) => t.topic)).toContain('stats');
    expect(await k.client.admin.deleteTopic('stats')).toBe(true);
    expect(await k.client.admin.topicStats('stats')).toBeUndefined();
  });

  test('long polling parks an idle pull for its wait and wakes it at the publish', async () => {
    await k.client.admin.createTopic({ topic: 'lp', queueCount: 1 });
    const pull = k.client.createPullConsumer({ group: 'lp-g' });
    const parked = (): number => k.kernel.broker.hold.parkedOn('lp', 0);
    const idle = pull.pull({ topic: 'lp', queueId: 0, offset: 0, suspendMs: 2_000 });
    await waitFor(() => parked() === 1, 5_000, 'the idle pull parked');
    expect((await idle).messages).toHaveLength(0);
    expect(parked()).toBe(0);
    const waiting = pull.pull({ topic: 'lp', queueId: 0, offset: 0, suspendMs: 60_000 });
    await waitFor(() => parked() === 1, 5_000, 'the pull parked');
    await k.client.createProducer().send({ topic: 'lp', body: Buffer.from('wake') });
    // the dispatch of the stored message released the parked pull, long before its wait ends
    expect(parked()).toBe(0);
    expect((await waiting).messages.map((m) => m.body.toString())).toEqual(['wake']);
  });

  test('pull with a tag filter skips non-matching entries and advances past them', async () => {
    await k.client.admin.createTopic({ topic: 'pf', queueCount: 1 });
    const producer = k.client.createProducer();
    for (const tag of ['a', 'b', 'a', 'c']) await producer.send({ topic: 'pf', body: Buffer.from(tag), tag });
    const pull = k.client.createPullConsumer({ group: 'pf-g' });
    const res = await pull.pull({ topic: 'pf', queueId: 0, offset: 0, filter: { type: FilterType.Tag, expression: 'a || c' } });
    expect(res.messages.map((m) => m.body.toString())).toEqual(['a', 'a', 'c']);
    expect(res.nextBeginOffset).toBe(4);
  });

  test('message ids stay unique across a restart', async () => {
    const before = await k.client.createProducer().send({ topic: 'ids', body: Buffer.from('x') });
    k = await k.restart();
    const after = await k.client.createProducer().send({ topic: 'ids', body: Buffer.from('y') });
    expect(after.msgId).not.toBe(before.msgId);
    expect((await k.client.admin.viewMessage(before.msgId))?.body.toString()).toBe('x');
  });
});
