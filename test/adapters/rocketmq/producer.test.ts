/**
 * Apache's Node.js Producer against the RocketMQ endpoint: normal, FIFO and delayed
 * sends, checked in the kernel behind it (fields, queue, order, visibility time, and the
 * client's message id as the kernel msgId found by the admin API).
 */
import { Producer } from 'rocketmq-client-nodejs';
import { ConsumeFrom } from '../../../src/kernel/index.js';
import { quietLogger, shutdownAll, startClient, startRocketMq, type RocketMqHarness } from './helpers.js';

describe('RocketMQ Producer (rocketmq-client-nodejs)', () => {
  let h: RocketMqHarness;
  let producer: Producer | undefined;
  beforeAll(async () => {
    h = await startRocketMq();
  });
  afterEach(async () => {
    await shutdownAll([producer]);
    producer = undefined;
  });
  afterAll(() => h.close());

  const startProducer = (topics: string[]): Promise<Producer> =>
    startClient(new Producer({ endpoints: h.endpoints, namespace: '', logger: quietLogger, topics }));

  test('a normal message keeps tag, keys, properties and body; its message id is the kernel msgId', async () => {
    producer = await startProducer(['orders']);
    const receipt = await producer.send({
      topic: 'orders', tag: 'created', keys: ['order-1', 'customer-9'], body: Buffer.from('{"id":1}'),
      properties: new Map([['region', 'eu'], ['priority-class', 'gold']]),
    });
    expect(receipt.messageId).toMatch(/^[0-9A-F]{34}$/);

    const found = await h.kernel.client.admin.viewMessage(receipt.messageId);
    expect(found).toMatchObject({
      msgId: receipt.messageId, topic: 'orders', tag: 'created', keys: ['order-1', 'customer-9'],
      properties: { region: 'eu', 'priority-class': 'gold' }, queueOffset: receipt.offset,
    });
    expect(found!.body.toString()).toBe('{"id":1}');
    expect(found!.shardingKey).toBeUndefined();
    const byKey = await h.kernel.client.admin.queryMessagesByKey({ topic: 'orders', key: 'customer-9' });
    expect(byKey.map((m) => m.msgId)).toEqual([receipt.messageId]);
  });

  test('FIFO: messages of one message group go to one queue in send order, the group as sharding key', async () => {
    producer = await startProducer(['fifo-orders']);
    const receipts = [];
    for (let i = 0; i < 10; i++) {
      receipts.push(await producer.send({ topic: 'fifo-orders', messageGroup: 'customer-7', tag: 'step', body: Buffer.from(`step-${i}`) }));
    }
    const stored = await Promise.all(receipts.map((r) => h.kernel.client.admin.viewMessage(r.messageId)));
    const queues = new Set(stored.map((m) => m!.queueId));
    expect(queues.size).toBe(1);
    expect(stored.map((m) => m!.body.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `step-${i}`));
    const offsets = stored.map((m) => m!.queueOffset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(stored.every((m) => m!.shardingKey === 'customer-7')).toBe(true);
  });

  test('a delayed message becomes visible at its delivery timestamp, not before', async () => {
    producer = await startProducer(['later']);
    const consumer = h.kernel.client.createSimpleConsumer({ group: 'delay-check', consumeFrom: ConsumeFrom.First });
    await consumer.receive({ topic: 'later', waitMs: 0 }); // the group exists before the send
    const deliverAt = Date.now() + 1_500;
    const receipt = await producer.send({ topic: 'later', deliveryTimestamp: new Date(deliverAt), body: Buffer.from('wake up') });
    expect(await consumer.receive({ topic: 'later', waitMs: 700 })).toEqual([]);
    const got = await consumer.receive({ topic: 'later', waitMs: 3_000 });
    expect(got.map((m) => m.msgId)).toEqual([receipt.messageId]);
    expect(Date.now()).toBeGreaterThanOrEqual(deliverAt - 50);
  });
});
