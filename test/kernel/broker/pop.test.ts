import { ConsumeFrom, GetStatus, KernelErrorCode, type ReceivedMessage, type SimpleConsumer } from '../../../src/kernel/index.js';
import { decodeReceiptHandle, encodeReceiptHandle } from '../../../src/kernel/broker/receipt-handle.js';
import { startTestKernel, type TestKernel } from '../../helpers/kernel.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('pop consumption (SimpleConsumer)', () => {
  let k: TestKernel;

  beforeEach(async () => {
    k = await startTestKernel();
  });

  afterEach(async () => {
    await k.cleanup();
  });

  function consumer(group: string): SimpleConsumer {
    return k.client.createSimpleConsumer({ group, consumeFrom: ConsumeFrom.First });
  }

  async function publish(topic: string, bodies: string[], extra: { tag?: string; shardingKey?: string } = {}): Promise<string[]> {
    const producer = k.client.createProducer();
    const ids: string[] = [];
    for (const body of bodies) ids.push((await producer.send({ topic, body: Buffer.from(body), ...extra })).msgId);
    return ids;
  }

  /** receives until `count` messages came or `ms` passed */
  async function receiveAll(c: SimpleConsumer, topic: string, count: number, invisibleMs = 30_000, ms = 5_000): Promise<ReceivedMessage[]> {
    const out: ReceivedMessage[] = [];
    const deadline = Date.now() + ms;
    while (out.length < count && Date.now() < deadline) out.push(...(await c.receive({ topic, maxMessages: 32, invisibleMs, waitMs: Math.max(1, deadline - Date.now()) })));
    return out;
  }

  test('receive pops from every queue of the topic and hides popped messages from the other receivers of the group', async () => {
    await k.client.admin.createTopic({ topic: 'jobs', queueCount: 8 });
    const ids = await publish('jobs', Array.from({ length: 20 }, (_, i) => `m${i}`));
    const a = consumer('workers');
    const b = consumer('workers');
    const got = await receiveAll(a, 'jobs', 20);
    expect(got.map((m) => m.msgId).sort()).toEqual([...ids].sort());
    expect(new Set(got.map((m) => m.queueId)).size).toBe(8);
    expect(new Set(got.map((m) => m.receiptHandle)).size).toBe(20);
    expect(got.every((m) => m.invisibleUntil > Date.now() && m.reconsumeTimes === 0 && m.topic === 'jobs')).toBe(true);
    expect(await b.receive({ topic: 'jobs', maxMessages: 32, invisibleMs: 30_000, waitMs: 200 })).toEqual([]);
    // another group sees them all
    expect(await receiveAll(consumer('auditors'), 'jobs', 20)).toHaveLength(20);
    for (const m of got) await a.ack(m.receiptHandle);
    const lag = await k.client.admin.groupLag('workers');
    expect(lag.filter((q) => q.topic === 'jobs').every((q) => q.lag === 0)).toBe(true);
  });

  test('long polling: a waiting receive answers as soon as a message arrives on any queue', async () => {
    await k.client.admin.createTopic({ topic: 'lp', queueCount: 4 });
    const c = consumer('lp-group');
    const started = Date.now();
    const pending = c.receive({ topic: 'lp', maxMessages: 4, invisibleMs: 10_000, waitMs: 5_000 });
    await sleep(150);
    await publish('lp', ['late']);
    const got = await pending;
    expect(got.map((m) => m.body.toString())).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(2_000);
    // and an empty wait ends when its time is up
    const t = Date.now();
    expect(await c.receive({ topic: 'lp', maxMessages: 4, invisibleMs: 10_000, waitMs: 300 })).toEqual([]);
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
  });

  test('a message not acked in time is redelivered through the retry topic: same msgId, original topic, reconsumeTimes 1; its old handle is refused', async () => {
    await k.client.admin.createTopic({ topic: 'slow', queueCount: 2 });
    const [id] = await publish('slow', ['work']);
    const c = consumer('slow-group');
    const [first] = await receiveAll(c, 'slow', 1, 300);
    expect(first!.msgId).toBe(id);
    // invisible 300 ms, then revived with the fast backoff (200 ms)
    const [again] = await receiveAll(c, 'slow', 1, 30_000, 5_000);
    expect(again).toBeDefined();
    expect(again!.msgId).toBe(id);
    expect(again!.topic).toBe('slow');
    expect(again!.reconsumeTimes).toBe(1);
    expect(again!.body.toString()).toBe('work');
    await expect(c.ack(first!.receiptHandle)).rejects.toMatchObject({ code: KernelErrorCode.InvalidReceiptHandle });
    await c.ack(again!.receiptHandle);
    expect(await c.receive({ topic: 'slow', maxMessages: 8, invisibleMs: 1_000, waitMs: 800 })).toEqual([]);
  });

  test('changeInvisibleDuration extends the deadline and returns a new handle; the old handle is stale', async () => {
    await publish('extend', ['x']);
    const c = consumer('extend-group');
    const [m] = await receiveAll(c, 'extend', 1, 300);
    const handle = await c.changeInvisibleDuration(m!.receiptHandle, 3_000);
    expect(handle).not.toBe(m!.receiptHandle);
    await expect(c.ack(m!.receiptHandle)).rejects.toMatchObject({ code: KernelErrorCode.InvalidReceiptHandle });
    await expect(c.changeInvisibleDuration(m!.receiptHandle, 1_000)).rejects.toMatchObject({ code: KernelErrorCode.InvalidReceiptHandle });
    // past the first deadline and its retry backoff, nothing is redelivered
    expect(await c.receive({ topic: 'extend', maxMessages: 8, invisibleMs: 1_000, waitMs: 900 })).toEqual([]);
    await c.ack(handle);
    await expect(c.ack(handle)).rejects.toMatchObject({ code: KernelErrorCode.InvalidReceiptHandle });
  });

  test('nack redelivers at once through the retry topic', async () => {
    await publish('nacked', ['n']);
    const c = consumer('nack-group');
    const [m] = await receiveAll(c, 'nacked', 1);
    const t = Date.now();
    await c.nack(m!.receiptHandle, 0);
    const [again] = await receiveAll(c, 'nacked', 1, 30_000, 3_000);
    expect(again!.msgId).toBe(m!.msgId);
    expect(again!.reconsumeTimes).toBe(1);
    expect(Date.now() - t).toBeLessThan(1_500);
    await expect(c.nack(m!.receiptHandle)).rejects.toMatchObject({ code: KernelErrorCode.InvalidReceiptHandle });
  });

  test('garbage, foreign-broker and other-group handles are refused with InvalidReceiptHandle', async () => {
    await publish('h', ['h']);
    const c = consumer('h-group');
    const [m] = await receiveAll(c, 'h', 1);
    for (const bad of ['', 'not a handle', 'bm9wZQ', 'x'.repeat(5_000)]) {
      await expect(c.ack(bad)).rejects.toMatchObject({ code: KernelErrorCode.InvalidReceiptHandle });
    }
    const foreign = encodeReceiptHandle({ ...decodeReceiptHandle(m!.receiptHandle), brokerName: 'broker-z' });
    await expect(c.ack(foreign)).rejects.toMatchObject({ code: KernelErrorCode.InvalidReceiptHandle });
    await expect(consumer('other-group').ack(m!.receiptHandle)).rejects.toMatchObject({ code: KernelErrorCode.InvalidReceiptHandle });
    await c.ack(m!.receiptHandle);
  });

  test("the group's committed offset of a queue is its lowest un-acked popped offset", async () => {
    await k.client.admin.createTopic({ topic: 'one-queue', queueCount: 1 });
    await publish('one-queue', ['0', '1', '2']);
    const c = consumer('offset-group');
    const got = await receiveAll(c, 'one-queue', 3);
    const byOffset = new Map(got.map((m) => [m.queueOffset, m]));
    const committed = async (): Promise<number | undefined> => (await k.client.admin.groupLag('offset-group')).find((q) => q.topic === 'one-queue')?.consumerOffset;
    expect(await committed()).toBe(0);
    await c.ack(byOffset.get(1)!.receiptHandle);
    await c.ack(byOffset.get(2)!.receiptHandle);
    expect(await committed()).toBe(0);
    await c.ack(byOffset.get(0)!.receiptHandle);
    expect(await committed()).toBe(3);
  });

  test('a filter selects by tag, and retries of another topic of the same group stay with their topic', async () => {
    await publish('colours', ['red-1'], { tag: 'red' });
    await publish('colours', ['blue-1'], { tag: 'blue' });
    await publish('colours', ['red-2'], { tag: 'red' });
    await publish('shapes', ['square'], {});
    const c = consumer('mixed');
    const reds: ReceivedMessage[] = [];
    while (reds.length < 2) reds.push(...(await c.receive({ topic: 'colours', filter: 'red', maxMessages: 8, invisibleMs: 1_000, waitMs: 1_000 })));
    expect(reds.map((m) => m.body.toString()).sort()).toEqual(['red-1', 'red-2']);
    for (const m of reds) await c.ack(m.receiptHandle);
    const [square] = await receiveAll(c, 'shapes', 1, 200);
    expect(square!.body.toString()).toBe('square');
    // the square times out into %RETRY%mixed; popping colours never hands it out
    await sleep(700);
    expect(await c.receive({ topic: 'colours', filter: 'red', maxMessages: 8, invisibleMs: 30_000, waitMs: 500 })).toEqual([]);
    const [retried] = await receiveAll(c, 'shapes', 1, 30_000, 3_000);
    expect(retried!.body.toString()).toBe('square');
    expect(retried!.reconsumeTimes).toBe(1);
    // another group without a filter gets every colour
    const all = await receiveAll(consumer('everything'), 'colours', 3);
    expect(all.map((m) => m.body.toString()).sort()).toEqual(['blue-1', 'red-1', 'red-2']);
  });

  test("a message nacked past the group's maximum reconsume times lands in %DLQ%group", async () => {
    const [id] = await publish('doomed', ['d']);
    const c = consumer('dlq-pop');
    let deliveries = 0;
    for (;;) {
      const [m] = await c.receive({ topic: 'doomed', maxMessages: 1, invisibleMs: 30_000, waitMs: 2_000 });
      if (!m) break;
      deliveries++;
      expect(m.reconsumeTimes).toBe(deliveries - 1);
      await c.nack(m.receiptHandle, 0);
    }
    expect(deliveries).toBe(17); // the first delivery and 16 retries
    const dlq = await k.client.createPullConsumer({ group: 'dlq-reader', consumeFrom: ConsumeFrom.First }).pull({ topic: '%DLQ%dlq-pop', queueId: 0, offset: 0, suspendMs: 1_000 });
    expect(dlq.status).toBe(GetStatus.Found);
    expect(dlq.messages.map((m) => m.msgId)).toEqual([id]);
  }, 30_000);

  test('a restart inside the invisibility window loses no popped message and redelivers no acked one', async () => {
    await k.client.admin.createTopic({ topic: 'durable', queueCount: 4 });
    await publish('durable', ['a', 'b', 'c', 'd', 'e']);
    const before = consumer('durable-group');
    const got = await receiveAll(before, 'durable', 5, 1_500);
    expect(got).toHaveLength(5);
    const [acked1, acked2, ackedAfterRestart, ...unacked] = got;
    await before.ack(acked1!.receiptHandle);
    await before.ack(acked2!.receiptHandle);
    k = await k.restart();
    const after = consumer('durable-group');
    // a handle from before the restart still settles its message
    await after.ack(ackedAfterRestart!.receiptHandle);
    // still invisible right after the restart
    expect(await after.receive({ topic: 'durable', maxMessages: 8, invisibleMs: 30_000, waitMs: 100 })).toEqual([]);
    const redelivered: ReceivedMessage[] = [];
    const deadline = Date.now() + 4_000;
    while (Date.now() < deadline) redelivered.push(...(await after.receive({ topic: 'durable', maxMessages: 8, invisibleMs: 30_000, waitMs: 500 })));
    expect(redelivered.map((m) => m.body.toString()).sort()).toEqual(unacked.map((m) => m.body.toString()).sort());
    expect(redelivered.every((m) => m.reconsumeTimes === 1)).toBe(true);
    // nothing new after a second restart either: the redelivered ones are in flight, the rest acked
    for (const m of redelivered) await after.ack(m.receiptHandle);
    k = await k.restart();
    expect(await consumer('durable-group').receive({ topic: 'durable', maxMessages: 8, invisibleMs: 30_000, waitMs: 800 })).toEqual([]);
  }, 20_000);

  test('bad receive arguments are refused', async () => {
    const c = consumer('args');
    await expect(c.receive({ topic: 'missing-topic', maxMessages: 1 })).rejects.toMatchObject({ code: KernelErrorCode.TopicNotFound });
    await publish('args-topic', ['x']);
    await expect(c.receive({ topic: 'args-topic', maxMessages: 0 })).rejects.toMatchObject({ code: KernelErrorCode.InvalidArgument });
    await expect(c.receive({ topic: 'args-topic', invisibleMs: 0 })).rejects.toMatchObject({ code: KernelErrorCode.InvalidArgument });
    await expect(c.receive({ topic: 'args-topic', filter: { type: 'SQL92', expression: 'a = ' } })).rejects.toMatchObject({ code: KernelErrorCode.InvalidFilter });
    await expect(c.receive({ topic: '%RETRY%args', maxMessages: 1 })).rejects.toMatchObject({ code: KernelErrorCode.InvalidTopic });
  });

  test('an admin offset reset moves the pop cursor: acked messages are received again, old handles go stale', async () => {
    await k.client.admin.createTopic({ topic: 'replayed', queueCount: 2 });
    const start = Date.now() - 1;
    await publish('replayed', ['a', 'b', 'c']);
    const c = consumer('pop-reset');
    const first = await receiveAll(c, 'replayed', 3);
    for (const m of first) await c.ack(m.receiptHandle);
    await k.client.admin.resetOffset({ group: 'pop-reset', topic: 'replayed', timestamp: start });
    const again = await receiveAll(c, 'replayed', 3);
    expect(again.map((m) => m.body.toString()).sort()).toEqual(['a', 'b', 'c']);
    expect(again.map((m) => m.msgId).sort()).toEqual(first.map((m) => m.msgId).sort());
  });
});
