import { ConsumeFrom, ConsumeStatus, GetStatus, PropertyName, type PushConsumer, type StoredMessage } from '../../../src/kernel/index.js';
import { DLQ_ORIGIN_QUEUE, DLQ_ORIGIN_TOPIC } from '../../../src/kernel/broker/retry.js';
import { startTestKernel, waitFor, type TestKernel } from '../../helpers/kernel.js';

const FAST = { rebalanceIntervalMs: 100, heartbeatIntervalMs: 200, pullSuspendMs: 500 };

describe('retry and dead letters', () => {
  let k: TestKernel;
  const consumers: PushConsumer[] = [];

  beforeEach(async () => {
    k = await startTestKernel();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.shutdown(100)));
    await k.cleanup();
  });

  function consumer(group: string): PushConsumer {
    const c = k.client.createPushConsumer({ group, consumeFrom: ConsumeFrom.First, ...FAST });
    consumers.push(c);
    return c;
  }

  async function readDlq(group: string): Promise<StoredMessage[]> {
    const reader = k.client.createPullConsumer({ group: `dlq-reader-${Math.random()}`, consumeFrom: ConsumeFrom.First });
    const result = await reader.pull({ topic: `%DLQ%${group}`, queueId: 0, offset: 0, maxMessages: 64 });
    return result.status === GetStatus.Found ? result.messages : [];
  }

  test('a failed message is retried with the fast backoff (200, 300 ms ...), keeping its msgId and topic while reconsumeTimes grows', async () => {
    await k.client.admin.createTopic({ topic: 'flaky', queueCount: 4 });
    const sent = await k.client.createProducer().send({ topic: 'flaky', body: Buffer.from('f'), shardingKey: 'k3' });
    const deliveries: Array<{ at: number; m: StoredMessage }> = [];
    const c = consumer('flaky-group');
    c.subscribe('flaky');
    await c.start(async (m) => {
      deliveries.push({ at: Date.now(), m });
      return deliveries.length < 3 ? ConsumeStatus.ReconsumeLater : ConsumeStatus.Success;
    });
    await waitFor(() => deliveries.length === 3, 10_000, 'three deliveries');
    expect(deliveries.map((d) => d.m.reconsumeTimes)).toEqual([0, 1, 2]);
    expect(deliveries.every((d) => d.m.msgId === sent.msgId && d.m.topic === 'flaky')).toBe(true);
    // the backoff is a lower bound; delivery adds at most a pull and a timer bucket
    const gaps = [deliveries[1]!.at - deliveries[0]!.at, deliveries[2]!.at - deliveries[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(190);
    expect(gaps[1]).toBeGreaterThanOrEqual(290);
    expect(gaps.every((g) => g < 2_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 800));
    expect(deliveries).toHaveLength(3);
  });

  test('a message whose 16 retries all fail lands in %DLQ%group with its history, and a re-drive sends it back to its topic once', async () => {
    await k.client.admin.createTopic({ topic: 'poison', queueCount: 4 });
    const sent = await k.client.createProducer().send({ topic: 'poison', body: Buffer.from('bad'), keys: ['order-9'], properties: { origin: 'test' }, shardingKey: 'q' });
    expect(sent.queueId).not.toBe(0); // a retry of a message from any queue must reach the retry topic's queue 0
    const attempts: number[] = [];
    let healed = false;
    const redelivered: StoredMessage[] = [];
    const c = consumer('poison-group');
    c.subscribe('poison');
    await c.start(async (m) => {
      if (healed) {
        redelivered.push(m);
        return ConsumeStatus.Success;
      }
      attempts.push(m.reconsumeTimes);
      return ConsumeStatus.ReconsumeLater;
    });
    await waitFor(async () => (await readDlq('poison-group')).length === 1, 25_000, 'the dead letter');
    expect(attempts).toEqual(Array.from({ length: 17 }, (_, i) => i)); // the first delivery, then 16 retries
    const [dead] = await readDlq('poison-group');
    expect(dead!.msgId).toBe(sent.msgId);
    expect(dead!.reconsumeTimes).toBe(17);
    expect(dead!.body.toString()).toBe('bad');
    expect(dead!.keys).toEqual(['order-9']);
    expect(dead!.properties).toEqual({ origin: 'test' });
    expect(dead!.systemProperties?.[DLQ_ORIGIN_TOPIC]).toBe('poison');
    expect(dead!.systemProperties?.[DLQ_ORIGIN_QUEUE]).toBe(String(sent.queueId));
    expect(dead!.systemProperties?.[PropertyName.OriginMessageId]).toBe(sent.msgId);
    expect(dead!.systemProperties?.[PropertyName.RetryTopic]).toBe('poison');

    healed = true;
    expect(await k.client.admin.redriveDlq({ group: 'poison-group' })).toEqual({ redriven: 1, failed: 0, remaining: 0 });
    await waitFor(() => redelivered.length === 1, 5_000, 'the re-driven message');
    const again = redelivered[0]!;
    expect(again.msgId).toBe(sent.msgId);
    expect(again.topic).toBe('poison');
    expect(again.reconsumeTimes).toBe(0);
    expect(again.body.toString()).toBe('bad');
    expect(again.properties).toEqual({ origin: 'test' });
    expect(again.systemProperties?.[DLQ_ORIGIN_TOPIC]).toBeUndefined();
    // re-driven once only, also after a restart
    expect(await k.client.admin.redriveDlq({ group: 'poison-group' })).toEqual({ redriven: 0, failed: 0, remaining: 0 });
    await Promise.all(consumers.splice(0).map((x) => x.shutdown(100)));
    k = await k.restart();
    expect(await k.client.admin.redriveDlq({ group: 'poison-group' })).toEqual({ redriven: 0, failed: 0, remaining: 0 });
  }, 40_000);

  test('a re-drive by msgId sends only the chosen dead letters; the rest wait for a later re-drive', async () => {
    const producer = k.client.createProducer();
    const sent = [];
    for (const body of ['a', 'b', 'c']) sent.push(await producer.send({ topic: 'picky', body: Buffer.from(body) }));
    // straight to the DLQ: no retry left
    for (const s of sent) await k.client.brokerApi.sendBack({ group: 'picky-group', commitLogOffset: s.commitLogOffset, maxReconsumeTimes: 0 });
    expect((await readDlq('picky-group')).map((m) => m.body.toString())).toEqual(['a', 'b', 'c']);
    expect(await k.client.admin.redriveDlq({ group: 'picky-group', msgIds: [sent[1]!.msgId] })).toEqual({ redriven: 1, failed: 0, remaining: 2 });
    expect(await k.client.admin.redriveDlq({ group: 'picky-group', msgIds: [sent[1]!.msgId] })).toEqual({ redriven: 0, failed: 0, remaining: 2 });
    expect(await k.client.admin.redriveDlq({ group: 'picky-group' })).toEqual({ redriven: 2, failed: 0, remaining: 0 });
    const reader = k.client.createPullConsumer({ group: 'picky-reader', consumeFrom: ConsumeFrom.First });
    const bodies: string[] = [];
    for (const queueId of await reader.queues('picky')) bodies.push(...(await reader.pull({ topic: 'picky', queueId, offset: 0, maxMessages: 32 })).messages.map((m) => m.body.toString()));
    // each original once, each re-driven copy once
    expect(bodies.sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
  });

  test('a dead letter whose topic is gone (and auto-create is off) is counted as failed and stays for a later re-drive', async () => {
    await k.cleanup();
    k = await startTestKernel({ autoCreateTopics: false });
    await k.client.admin.createTopic({ topic: 'temporary', queueCount: 1 });
    const sent = await k.client.createProducer().send({ topic: 'temporary', body: Buffer.from('t') });
    await k.client.brokerApi.sendBack({ group: 'gone-group', commitLogOffset: sent.commitLogOffset, maxReconsumeTimes: 0 });
    await k.client.admin.deleteTopic('temporary');
    expect(await k.client.admin.redriveDlq({ group: 'gone-group' })).toEqual({ redriven: 0, failed: 1, remaining: 1 });
    await k.client.admin.createTopic({ topic: 'temporary', queueCount: 1 });
    expect(await k.client.admin.redriveDlq({ group: 'gone-group' })).toEqual({ redriven: 1, failed: 0, remaining: 0 });
  });
});
