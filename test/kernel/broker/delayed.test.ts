import { ConsumeFrom, ConsumeStatus, type PushConsumer, type StoredMessage } from '../../../src/kernel/index.js';
import { startTestKernel, waitFor, type TestKernel } from '../../helpers/kernel.js';

const FAST = { rebalanceIntervalMs: 100, heartbeatIntervalMs: 200, pullSuspendMs: 500 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Arrival {
  at: number;
  m: StoredMessage;
}

describe('delayed messages', () => {
  let k: TestKernel;
  let consumers: PushConsumer[] = [];

  afterEach(async () => {
    await Promise.all(consumers.map((c) => c.shutdown(100)));
    consumers = [];
    await k.cleanup();
  });

  async function collect(topic: string, group = 'delayed-readers'): Promise<Arrival[]> {
    const arrivals: Arrival[] = [];
    const c = k.client.createPushConsumer({ group, consumeFrom: ConsumeFrom.First, ...FAST });
    consumers.push(c);
    c.subscribe(topic);
    await c.start(async (m) => {
      arrivals.push({ at: Date.now(), m });
      return ConsumeStatus.Success;
    });
    return arrivals;
  }

  test('deliverAt: a message is delivered at its time, never before, and keeps the msgId its send returned', async () => {
    k = await startTestKernel();
    await k.client.admin.createTopic({ topic: 'reminders', queueCount: 2 });
    const arrivals = await collect('reminders');
    const deliverAt = Date.now() + 1_200;
    const sent = await k.client.createProducer().send({ topic: 'reminders', body: Buffer.from('wake up'), deliverAt });
    await sleep(900);
    expect(arrivals).toEqual([]);
    await waitFor(() => arrivals.length === 1, 3_000, 'the delayed message');
    const [{ at, m }] = arrivals as [Arrival];
    expect(at).toBeGreaterThanOrEqual(deliverAt);
    expect(at - deliverAt).toBeLessThan(600);
    expect(m.msgId).toBe(sent.msgId);
    expect(m.topic).toBe('reminders');
    expect(m.body.toString()).toBe('wake up');
  });

  test('delay level n waits the n-th configured level', async () => {
    k = await startTestKernel({ delayLevelsMs: [300, 800, 1_300] });
    const arrivals = await collect('levels');
    const producer = k.client.createProducer();
    const sentAt = Date.now();
    for (const level of [3, 1, 2]) await producer.send({ topic: 'levels', body: Buffer.from(`level-${level}`), delayLevel: level });
    await waitFor(() => arrivals.length === 3, 5_000, 'three delayed messages');
    expect(arrivals.map((a) => a.m.body.toString())).toEqual(['level-1', 'level-2', 'level-3']);
    const waited = arrivals.map((a) => a.at - sentAt);
    expect(waited[0]).toBeGreaterThanOrEqual(300);
    expect(waited[1]).toBeGreaterThanOrEqual(800);
    expect(waited[2]).toBeGreaterThanOrEqual(1_300);
    expect(waited[2]!).toBeLessThan(2_300);
  });

  test("the default levels are RocketMQ's: level 1 waits one second", async () => {
    k = await startTestKernel();
    const arrivals = await collect('default-levels');
    const sentAt = Date.now();
    await k.client.createProducer().send({ topic: 'default-levels', body: Buffer.from('1s'), delayLevel: 1 });
    await waitFor(() => arrivals.length === 1, 4_000, 'the level-1 message');
    expect(arrivals[0]!.at - sentAt).toBeGreaterThanOrEqual(1_000);
    expect(arrivals[0]!.at - sentAt).toBeLessThan(2_000);
  });

  test('a restart while delayed messages are pending: each is delivered after the restart, on time within a second', async () => {
    k = await startTestKernel({ delayLevelsMs: [500, 2_500] });
    await k.client.admin.createTopic({ topic: 'survivors', queueCount: 4 });
    const producer = k.client.createProducer();
    const sentAt = Date.now();
    const byDeliverAt = await producer.send({ topic: 'survivors', body: Buffer.from('deliver-at'), deliverAt: sentAt + 2_000 });
    const byLevel = await producer.send({ topic: 'survivors', body: Buffer.from('level-2'), delayLevel: 2 });
    // due while the broker is down: delivered as soon as it is back
    await producer.send({ topic: 'survivors', body: Buffer.from('due-in-downtime'), deliverAt: sentAt + 300 });
    await k.close();
    await sleep(600);
    k = await k.restart();
    const reopenedAt = Date.now();
    const arrivals = await collect('survivors');
    await waitFor(() => arrivals.length === 3, 6_000, 'three delayed messages after the restart');
    const at = new Map(arrivals.map((a) => [a.m.body.toString(), a]));
    expect(at.get('due-in-downtime')!.at - reopenedAt).toBeLessThan(1_000);
    for (const [body, due, sent] of [['deliver-at', sentAt + 2_000, byDeliverAt], ['level-2', sentAt + 2_500, byLevel]] as const) {
      const arrival = at.get(body)!;
      expect(arrival.at).toBeGreaterThanOrEqual(due);
      expect(arrival.at - due).toBeLessThan(1_000);
      expect(arrival.m.msgId).toBe(sent.msgId);
    }
    await sleep(300);
    expect(arrivals).toHaveLength(3);
  }, 20_000);
});
