import { ConsumeFrom, type StoredMessage } from '../../../src/kernel/index.js';
import { startTestKernel, type TestKernel } from '../../helpers/kernel.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('expiry (TTL)', () => {
  let k: TestKernel;

  beforeEach(async () => {
    k = await startTestKernel();
  });

  afterEach(async () => {
    await k.cleanup();
  });

  async function pullAll(topic: string, group: string): Promise<StoredMessage[]> {
    const reader = k.client.createPullConsumer({ group, consumeFrom: ConsumeFrom.First });
    const out: StoredMessage[] = [];
    for (const queueId of await reader.queues(topic)) out.push(...(await reader.pull({ topic, queueId, offset: 0, maxMessages: 64 })).messages);
    return out;
  }

  test('an expired message is delivered neither by pull nor by pop, and every skip is counted in the broker stats', async () => {
    await k.client.admin.createTopic({ topic: 'offers', queueCount: 2 });
    const producer = k.client.createProducer();
    await producer.send({ topic: 'offers', body: Buffer.from('stale'), expireAt: Date.now() + 150 });
    await producer.send({ topic: 'offers', body: Buffer.from('fresh'), expireAt: Date.now() + 60_000 });
    await producer.send({ topic: 'offers', body: Buffer.from('forever') });
    await sleep(250);
    const expiredBefore = k.kernel.broker.stats.expired;
    const pulled = await pullAll('offers', 'pullers');
    expect(pulled.map((m) => m.body.toString()).sort()).toEqual(['forever', 'fresh']);
    expect(k.kernel.broker.stats.expired).toBe(expiredBefore + 1);
    const popper = k.client.createSimpleConsumer({ group: 'poppers', consumeFrom: ConsumeFrom.First });
    const popped = await popper.receive({ topic: 'offers', maxMessages: 16, invisibleMs: 10_000, waitMs: 500 });
    expect(popped.map((m) => m.body.toString()).sort()).toEqual(['forever', 'fresh']);
    expect(popped.find((m) => m.body.toString() === 'fresh')!.expireAt).toBeGreaterThan(Date.now());
    expect(k.kernel.broker.stats.expired).toBe(expiredBefore + 2);
    // skipped for good: the pop cursor moved past it
    expect(await popper.receive({ topic: 'offers', maxMessages: 16, invisibleMs: 10_000, waitMs: 200 })).toEqual([]);
  });

  test('a message that expires while it is delayed is never delivered', async () => {
    await k.client.createProducer().send({ topic: 'late', body: Buffer.from('too late'), deliverAt: Date.now() + 400, expireAt: Date.now() + 200 });
    await sleep(900);
    const expiredBefore = k.kernel.broker.stats.expired;
    expect(await pullAll('late', 'late-pullers')).toEqual([]);
    const popped = await k.client.createSimpleConsumer({ group: 'late-poppers', consumeFrom: ConsumeFrom.First }).receive({ topic: 'late', maxMessages: 4, invisibleMs: 1_000, waitMs: 100 });
    expect(popped).toEqual([]);
    expect(k.kernel.broker.stats.expired).toBe(expiredBefore + 2);
  });

  test('a popped message that expires before its redelivery is not redelivered', async () => {
    await k.client.createProducer().send({ topic: 'short-lived', body: Buffer.from('once'), expireAt: Date.now() + 400 });
    const popper = k.client.createSimpleConsumer({ group: 'short', consumeFrom: ConsumeFrom.First });
    const [m] = await popper.receive({ topic: 'short-lived', maxMessages: 1, invisibleMs: 200, waitMs: 1_000 });
    expect(m!.body.toString()).toBe('once');
    // invisible 200 ms, retry backoff 200 ms: the retry copy is due after the message expired
    const expiredBefore = k.kernel.broker.stats.expired;
    expect(await popper.receive({ topic: 'short-lived', maxMessages: 1, invisibleMs: 1_000, waitMs: 1_500 })).toEqual([]);
    expect(k.kernel.broker.stats.expired).toBeGreaterThan(expiredBefore);
  });
});
