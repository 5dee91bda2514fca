/**
 * Apache's Node.js PushConsumer against the RocketMQ endpoint: QueryAssignment, receive
 * with auto-renew, ack on success, redelivery through the retry queue on failure (the
 * delivery attempt counted), the dead-letter queue after the group's maximum, and a slow
 * listener kept invisible by auto-renew instead of being redelivered.
 */
import { ConsumeResult, Producer, PushConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { ConsumeFrom, MessageModel } from '../../../src/kernel/index.js';
import { waitFor } from '../../helpers/kernel.js';
import { quietLogger, quietConsumeServices, shutdownAll, startClient, startRocketMq, type RocketMqHarness } from './helpers.js';

const GROUP = 'push-group';
const TOPIC = 'push-topic';

let restoreLogger: () => void;
beforeAll(() => {
  restoreLogger = quietConsumeServices();
});
afterAll(() => restoreLogger());

const stopConsumer = (consumer: PushConsumer | undefined): Promise<void> => shutdownAll([consumer]);

/** the operator's group settings: `maxReconsumeTimes` redeliveries, then the dead-letter queue */
async function configureGroup(h: RocketMqHarness, group: string, settings: { maxReconsumeTimes: number; orderly?: boolean }): Promise<void> {
  await h.kernel.client.brokerApi.heartbeat({
    clientId: 'setup', group, messageModel: MessageModel.Clustering, consumeFrom: ConsumeFrom.Last, subscriptions: [], ...settings,
  });
  await h.kernel.client.brokerApi.unregisterClient({ clientId: 'setup', group });
}

describe('RocketMQ PushConsumer (rocketmq-client-nodejs)', () => {
  let h: RocketMqHarness;
  let producer: Producer | undefined;
  let consumer: PushConsumer | undefined;
  const deliveries: Array<{ body: string; attempt: number; messageId: string }> = [];

  beforeAll(async () => {
    h = await startRocketMq({ config: { autoRenewInvisibleMs: 1_500, autoRenewAheadMs: 700 } });
    await configureGroup(h, GROUP, { maxReconsumeTimes: 2 });
    producer = await startClient(new Producer({ endpoints: h.endpoints, namespace: '', logger: quietLogger, topics: [TOPIC] }));
    consumer = await startClient(new PushConsumer({
      endpoints: h.endpoints, namespace: '', logger: quietLogger, consumerGroup: GROUP, subscriptions: new Map([[TOPIC, '*']]),
      messageListener: {
        consume: async (view: MessageView) => {
          const body = view.body.toString();
          deliveries.push({ body, attempt: view.deliveryAttempt ?? 0, messageId: view.messageId });
          if (body === 'slow') await new Promise((r) => setTimeout(r, 4_000));
          if (body === 'poison') return ConsumeResult.FAILURE;
          if (body === 'flaky' && (view.deliveryAttempt ?? 1) < 3) throw new Error('not yet');
          return ConsumeResult.SUCCESS;
        },
      },
    }));
  });
  afterAll(async () => {
    await stopConsumer(consumer);
    await shutdownAll([producer]);
    await h.close();
  });

  const seen = (body: string): Array<{ attempt: number; messageId: string }> =>
    deliveries.filter((d) => d.body === body).map(({ attempt, messageId }) => ({ attempt, messageId }));

  test('a consumed message is acked once; the consumer is a member of its kernel group', async () => {
    const receipt = await producer!.send({ topic: TOPIC, tag: 'ok', body: Buffer.from('fine') });
    await waitFor(() => seen('fine').length > 0, 15_000, 'delivery of "fine"');
    expect(seen('fine')).toEqual([{ attempt: 1, messageId: receipt.messageId }]);
    const group = await h.kernel.client.admin.getGroup(GROUP);
    expect(group?.members.map((m) => m.protocol)).toContain('rocketmq');
  });

  test('a listener that fails twice gets the message a third time, and then succeeds', async () => {
    await producer!.send({ topic: TOPIC, body: Buffer.from('flaky') });
    await waitFor(() => seen('flaky').length >= 3, 15_000, 'three deliveries of "flaky"');
    expect(seen('flaky').map((d) => d.attempt)).toEqual([1, 2, 3]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(seen('flaky')).toHaveLength(3);
  });

  test('a message that always fails goes to the dead-letter queue after the maximum attempts', async () => {
    const receipt = await producer!.send({ topic: TOPIC, tag: 'bad', keys: ['poison-1'], body: Buffer.from('poison') });
    await waitFor(() => seen('poison').length >= 3, 15_000, 'three deliveries of "poison"');
    const dlq = h.kernel.client.createSimpleConsumer({ group: 'dlq-reader', consumeFrom: ConsumeFrom.First });
    let dead: Awaited<ReturnType<typeof dlq.receive>> = [];
    // the dead-letter topic appears with the first dead letter
    await waitFor(async () => (dead = await dlq.receive({ topic: `%DLQ%${GROUP}`, waitMs: 200 }).catch(() => [])).length > 0, 10_000, 'the dead letter');
    expect(dead.map((m) => [m.msgId, m.body.toString(), m.tag, m.keys])).toEqual([[receipt.messageId, 'poison', 'bad', ['poison-1']]]);
    expect(seen('poison').map((d) => d.attempt)).toEqual([1, 2, 3]);
  });

  test('a slow listener keeps its message: auto-renew holds it past its invisible duration', async () => {
    await producer!.send({ topic: TOPIC, body: Buffer.from('slow') });
    await waitFor(() => seen('slow').length > 0, 15_000, 'delivery of "slow"');
    // the listener takes 4 s, the invisibility is 1.5 s: without renewal it would come back
    await new Promise((r) => setTimeout(r, 5_500));
    expect(seen('slow')).toHaveLength(1);
    expect(h.adapter.stats().autoRenewed).toBe(0);
  });
});

describe('RocketMQ PushConsumer of a FIFO (orderly) group', () => {
  let h: RocketMqHarness;
  let producer: Producer | undefined;
  let consumer: PushConsumer | undefined;
  const consumed: Array<{ body: string; attempt: number }> = [];

  beforeAll(async () => {
    h = await startRocketMq();
    await configureGroup(h, 'fifo-group', { maxReconsumeTimes: 2, orderly: true });
    producer = await startClient(new Producer({ endpoints: h.endpoints, namespace: '', logger: quietLogger, topics: ['fifo-topic'] }));
    consumer = await startClient(new PushConsumer({
      endpoints: h.endpoints, namespace: '', logger: quietLogger, consumerGroup: 'fifo-group', subscriptions: new Map([['fifo-topic', '*']]),
      messageListener: {
        consume: async (view: MessageView) => {
          const body = view.body.toString();
          consumed.push({ body, attempt: view.deliveryAttempt ?? 0 });
          await new Promise((r) => setTimeout(r, Math.random() * 10));
          return body === 'm-3' ? ConsumeResult.FAILURE : ConsumeResult.SUCCESS;
        },
      },
    }));
  });
  afterAll(async () => {
    await stopConsumer(consumer);
    await shutdownAll([producer]);
    await h.close();
  });

  test('one message group is consumed in send order; a message out of attempts is forwarded to the DLQ in place', async () => {
    const receipts = [];
    for (let i = 0; i < 8; i++) receipts.push(await producer!.send({ topic: 'fifo-topic', messageGroup: 'customer-1', body: Buffer.from(`m-${i}`) }));
    await waitFor(() => consumed.filter((c) => c.body === 'm-7').length > 0, 15_000, 'the last message');
    // m-3 is retried in place (attempts 1..3) before m-4 is handed to the listener
    expect(consumed.map((c) => `${c.body}@${c.attempt}`)).toEqual([
      'm-0@1', 'm-1@1', 'm-2@1', 'm-3@1', 'm-3@2', 'm-3@3', 'm-4@1', 'm-5@1', 'm-6@1', 'm-7@1',
    ]);
    const dlq = h.kernel.client.createSimpleConsumer({ group: 'fifo-dlq-reader', consumeFrom: ConsumeFrom.First });
    let dead: Awaited<ReturnType<typeof dlq.receive>> = [];
    await waitFor(async () => (dead = await dlq.receive({ topic: '%DLQ%fifo-group', waitMs: 200 }).catch(() => [])).length > 0, 10_000, 'the dead letter');
    expect(dead.map((m) => [m.msgId, m.body.toString()])).toEqual([[receipts[3]!.messageId, 'm-3']]);
    // everything else was acked: nothing comes back
    await new Promise((r) => setTimeout(r, 1_500));
    expect(consumed).toHaveLength(10);
  });
});
