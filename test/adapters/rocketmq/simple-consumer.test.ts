/**
 * Apache's Node.js SimpleConsumer against the RocketMQ endpoint: receive (long polling),
 * ack, change of invisibility, redelivery once the invisibility lapses, a stale receipt
 * handle, and tag and SQL filters.
 */
import { FilterExpression, Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { FilterType } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js';
import { quietLogger, shutdownAll, startClient, startRocketMq, type RocketMqHarness } from './helpers.js';

describe('RocketMQ SimpleConsumer (rocketmq-client-nodejs)', () => {
  let h: RocketMqHarness;
  let producer: Producer;
  let consumer: SimpleConsumer | undefined;
  beforeAll(async () => {
    h = await startRocketMq();
    producer = await startClient(new Producer({ endpoints: h.endpoints, namespace: '', logger: quietLogger }));
  });
  afterEach(async () => {
    await shutdownAll([consumer]);
    consumer = undefined;
  });
  afterAll(async () => {
    await shutdownAll([producer]);
    await h.close();
  });

  const startConsumer = (group: string, subscriptions: Map<string, FilterExpression | string>, awaitDuration = 2_000): Promise<SimpleConsumer> =>
    startClient(new SimpleConsumer({ endpoints: h.endpoints, namespace: '', logger: quietLogger, consumerGroup: group, subscriptions, awaitDuration }));

  test('receive then ack: every field arrives; an acked message is not delivered again', async () => {
    consumer = await startConsumer('sc-basic', new Map([['sc-topic', '*']]));
    const sent = await producer.send({
      topic: 'sc-topic', tag: 'created', keys: ['k1', 'k2'], body: Buffer.from('hello simple'), properties: new Map([['color', 'blue']]),
    });
    const [view, ...rest] = await consumer.receive(16, 10_000);
    expect(rest).toEqual([]);
    expect(view).toMatchObject({ messageId: sent.messageId, topic: 'sc-topic', tag: 'created', keys: ['k1', 'k2'], deliveryAttempt: 1, offset: sent.offset });
    expect(view!.body.toString()).toBe('hello simple');
    expect(view!.properties.get('color')).toBe('blue');
    expect(view!.corrupted).not.toBe(true);
    expect(view!.receiptHandle).toEqual(expect.any(String));
    await consumer.ack(view!);
    expect(await consumer.receive(16, 10_000)).toEqual([]);
  });

  test('a long-polling receive returns as soon as a message arrives', async () => {
    consumer = await startConsumer('sc-poll', new Map([['sc-poll-topic', '*']]), 5_000);
    const started = Date.now();
    const receiving = consumer.receive(1, 10_000);
    setTimeout(() => void producer.send({ topic: 'sc-poll-topic', body: Buffer.from('late') }), 300);
    const got = await receiving;
    expect(got.map((m) => m.body.toString())).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(4_000);
    await consumer.ack(got[0]!);
  });

  test('change invisible duration: a new handle, the old one refused, the message hidden until then', async () => {
    consumer = await startConsumer('sc-invisible', new Map([['sc-inv-topic', '*']]));
    await producer.send({ topic: 'sc-inv-topic', body: Buffer.from('extend me') });
    const [view] = await consumer.receive(1, 1_000);
    const firstHandle = view!.receiptHandle;
    await consumer.changeInvisibleDuration(view!, 5_000);
    expect(view!.receiptHandle).not.toBe(firstHandle);
    // past the first invisibility, still hidden
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await consumer.receive(1, 1_000)).toEqual([]);
    // the replaced handle is stale: INVALID_RECEIPT_HANDLE
    const stale = { ...view!, receiptHandle: firstHandle } as typeof view;
    await expect(consumer.ack(stale!)).rejects.toMatchObject({ code: 40013 });
    await consumer.ack(view!);
  });

  test('a message not acked in time is delivered again, with the next delivery attempt', async () => {
    consumer = await startConsumer('sc-redeliver', new Map([['sc-re-topic', '*']]), 3_000);
    const sent = await producer.send({ topic: 'sc-re-topic', body: Buffer.from('again') });
    const [first] = await consumer.receive(1, 500);
    expect(first!.deliveryAttempt).toBe(1);
    const [second] = await consumer.receive(1, 10_000);
    expect(second).toMatchObject({ messageId: sent.messageId, deliveryAttempt: 2 });
    expect(second!.body.toString()).toBe('again');
    // the first delivery's handle is stale after the redelivery
    await expect(consumer.ack(first!)).rejects.toMatchObject({ code: 40013 });
    await consumer.ack(second!);
  });

  test('tag filter: only the subscribed tags arrive', async () => {
    consumer = await startConsumer('sc-tags', new Map([['sc-tag-topic', 'red || green']]));
    for (const tag of ['red', 'blue', 'green', 'yellow']) await producer.send({ topic: 'sc-tag-topic', tag, body: Buffer.from(tag) });
    const tags: string[] = [];
    for (let i = 0; i < 4 && tags.length < 2; i++) {
      for (const m of await consumer.receive(16, 10_000)) {
        tags.push(m.tag!);
        await consumer.ack(m);
      }
    }
    expect(tags.sort()).toEqual(['green', 'red']);
    expect(await consumer.receive(16, 10_000)).toEqual([]);
  });

  test('SQL filter over user properties and TAGS', async () => {
    const sql = new FilterExpression("region = 'eu' AND amount > 100 AND TAGS <> 'test'", FilterType.SQL);
    consumer = await startConsumer('sc-sql', new Map([['sc-sql-topic', sql]]));
    const cases: Array<[string, string, string]> = [['eu', '150', 'live'], ['us', '150', 'live'], ['eu', '50', 'live'], ['eu', '500', 'test']];
    for (const [region, amount, tag] of cases) {
      await producer.send({ topic: 'sc-sql-topic', tag, body: Buffer.from(`${region}/${amount}/${tag}`), properties: new Map([['region', region], ['amount', amount]]) });
    }
    const got = await consumer.receive(16, 10_000);
    expect(got.map((m) => m.body.toString())).toEqual(['eu/150/live']);
    await consumer.ack(got[0]!);
  });

  test('an invalid filter expression is refused with ILLEGAL_FILTER_EXPRESSION', async () => {
    const bad = new FilterExpression('region = = broken', FilterType.SQL);
    consumer = await startConsumer('sc-bad-sql', new Map([['sc-bad-sql-topic', bad]])).catch((err: unknown) => {
      throw new Error(`startup should succeed, the receive fails: ${String(err)}`);
    });
    await expect(consumer.receive(1, 1_000)).rejects.toMatchObject({ code: 40010 });
  });
});
