/**
 * Transactional messages with Apache's Node.js Producer: commit delivers, rollback drops,
 * and a transaction the producer never ends is resolved by the check-back, relayed over
 * the producer's telemetry stream as RecoverOrphanedTransactionCommand.
 */
import { Producer, type MessageView } from 'rocketmq-client-nodejs';
import { TransactionResolution } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js';
import { ConsumeFrom, type SimpleConsumer } from '../../../src/kernel/index.js';
import { waitFor } from '../../helpers/kernel.js';
import { quietLogger, shutdownAll, startClient, startRocketMq, type RocketMqHarness } from './helpers.js';

describe('RocketMQ transactional messages (rocketmq-client-nodejs)', () => {
  let h: RocketMqHarness;
  let producer: Producer | undefined;
  let consumer: SimpleConsumer;
  const checked: MessageView[] = [];
  let answer: number = TransactionResolution.COMMIT;

  beforeAll(async () => {
    h = await startRocketMq();
    consumer = h.kernel.client.createSimpleConsumer({ group: 'tx-reader', consumeFrom: ConsumeFrom.First });
  });
  beforeEach(async () => {
    checked.length = 0;
    producer = await startClient(new Producer({
      endpoints: h.endpoints, namespace: '', logger: quietLogger, topics: ['payments'],
      checker: { check: async (view) => { checked.push(view); return answer as any; } },
    }));
  });
  afterEach(async () => {
    await shutdownAll([producer]);
    producer = undefined;
  });
  afterAll(() => h.close());

  const received = async (waitMs: number): Promise<string[]> =>
    (await consumer.receive({ topic: 'payments', waitMs, maxMessages: 32 })).map((m) => m.body.toString());

  test('commit: the message is delivered only after the commit', async () => {
    const tx = producer!.beginTransaction();
    const receipt = await producer!.send({ topic: 'payments', tag: 'paid', keys: ['p-1'], body: Buffer.from('commit me') }, tx);
    expect(receipt.transactionId).toBe(receipt.messageId);
    expect(await received(300)).toEqual([]);
    await tx.commit();
    const got = await consumer.receive({ topic: 'payments', waitMs: 3_000 });
    expect(got.map((m) => [m.msgId, m.tag, m.keys, m.body.toString()])).toEqual([[receipt.messageId, 'paid', ['p-1'], 'commit me']]);
    await consumer.ack(got[0]!.receiptHandle);
  });

  test('rollback: the message is never delivered', async () => {
    const tx = producer!.beginTransaction();
    await producer!.send({ topic: 'payments', body: Buffer.from('roll me back') }, tx);
    await tx.rollback();
    expect(await received(800)).toEqual([]);
  });

  test('an orphaned transaction is checked back with the producer, whose answer settles it', async () => {
    answer = TransactionResolution.COMMIT;
    const tx = producer!.beginTransaction();
    const receipt = await producer!.send({ topic: 'payments', tag: 'orphan', body: Buffer.from('decided by check-back') }, tx);
    // neither commit nor rollback: the broker asks the producer
    await waitFor(() => checked.length > 0, 10_000, 'a transaction check');
    expect(checked[0]!.messageId).toBe(receipt.messageId);
    expect(checked[0]!.tag).toBe('orphan');
    expect(checked[0]!.body.toString()).toBe('decided by check-back');
    expect(checked[0]!.corrupted).not.toBe(true); // the MD5 body digest matched
    const got = await consumer.receive({ topic: 'payments', waitMs: 5_000 });
    expect(got.map((m) => m.body.toString())).toEqual(['decided by check-back']);
    await consumer.ack(got[0]!.receiptHandle);
  });

  test('a check answered ROLLBACK drops the orphan', async () => {
    answer = TransactionResolution.ROLLBACK;
    const tx = producer!.beginTransaction();
    await producer!.send({ topic: 'payments', body: Buffer.from('dropped by check-back') }, tx);
    await waitFor(() => checked.length > 0, 10_000, 'a transaction check');
    expect(await received(1_500)).toEqual([]);
    // resolved: checked once, never again (an unresolved one is checked every 500 ms here)
    expect(checked).toHaveLength(1);
  });
});
