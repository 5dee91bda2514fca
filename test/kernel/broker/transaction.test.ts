import {
  ConsumeFrom, KernelErrorCode, TransactionResolution, type Producer, type StoredMessage,
} from '../../../src/kernel/index.js';
import { startTestKernel, waitFor, type TestKernel } from '../../helpers/kernel.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** transactions checked back quickly: unresolved after 300 ms, scanned every 100 ms */
const FAST_CHECKS = { transactionTimeoutMs: 300, transactionCheckIntervalMs: 100 };

describe('transactional messages', () => {
  let k: TestKernel;
  const producers: Producer[] = [];

  afterEach(async () => {
    await Promise.all(producers.splice(0).map((p) => p.shutdown()));
    await k.cleanup();
  });

  function producer(options: Parameters<TestKernel['client']['createProducer']>[0] = {}): Producer {
    const p = k.client.createProducer({ transactionCheckPollMs: 200, ...options });
    producers.push(p);
    return p;
  }

  /** every message of the topic, from the start, over all its queues */
  async function readTopic(topic: string): Promise<StoredMessage[]> {
    const reader = k.client.createPullConsumer({ group: `reader-${Math.random()}`, consumeFrom: ConsumeFrom.First });
    const out: StoredMessage[] = [];
    for (const queueId of await reader.queues(topic)) out.push(...(await reader.pull({ topic, queueId, offset: 0, maxMessages: 64 })).messages);
    return out;
  }

  test('a committed transaction delivers its message once; a rolled-back one never; neither is visible while the local transaction runs', async () => {
    k = await startTestKernel();
    await k.client.admin.createTopic({ topic: 'orders', queueCount: 4 });
    const p = producer({ group: 'tx-producers' });
    const committed = await p.sendTransactional({ topic: 'orders', body: Buffer.from('paid'), keys: ['order-1'] }, async (m, txId) => {
      expect(m.body.toString()).toBe('paid');
      expect(txId).toMatch(/^[0-9A-F]{32}$/);
      expect(await readTopic('orders')).toEqual([]);
      return TransactionResolution.Commit;
    });
    expect(committed.resolution).toBe(TransactionResolution.Commit);
    const rolledBack = await p.sendTransactional({ topic: 'orders', body: Buffer.from('cancelled') }, async () => TransactionResolution.Rollback);
    expect(rolledBack.resolution).toBe(TransactionResolution.Rollback);
    const delivered = await readTopic('orders');
    expect(delivered.map((m) => m.body.toString())).toEqual(['paid']);
    expect(delivered[0]!.msgId).toBe(committed.transactionId);
    expect(delivered[0]!.keys).toEqual(['order-1']);
    expect(delivered[0]!.producerGroup).toBe('tx-producers');
    expect(delivered[0]!.systemProperties?.TRAN_MSG).toBeUndefined();
    expect(k.kernel.broker.transactions.unresolvedCount).toBe(0);
    // settled transactions cannot be ended again
    await expect(k.client.brokerApi.endTransaction({ producerGroup: 'tx-producers', transactionId: committed.transactionId, resolution: 'COMMIT' }))
      .rejects.toMatchObject({ code: KernelErrorCode.TransactionNotFound });
  });

  test('an UNKNOWN transaction is resolved by check-back with a live producer of the same group', async () => {
    k = await startTestKernel(FAST_CHECKS);
    const checked: StoredMessage[] = [];
    producer({ group: 'shop', checkTransaction: (m) => {
      checked.push(m);
      return TransactionResolution.Commit;
    } });
    const sender = producer({ group: 'shop' });
    const sent = await sender.sendTransactional({ topic: 'payments', body: Buffer.from('maybe'), tag: 'card' }, async () => TransactionResolution.Unknown);
    expect(sent.resolution).toBe(TransactionResolution.Unknown);
    await waitFor(async () => (await readTopic('payments')).length === 1, 5_000, 'the committed message');
    expect(checked.length).toBeGreaterThanOrEqual(1);
    expect(checked[0]!.topic).toBe('payments');
    expect(checked[0]!.tag).toBe('card');
    expect(checked[0]!.msgId).toBe(sent.transactionId);
    const [m] = await readTopic('payments');
    expect(m!.msgId).toBe(sent.transactionId);
    await sleep(500);
    expect(await readTopic('payments')).toHaveLength(1);
  });

  test('a check-back reaches only producers of the half message\'s group, and a throwing local transaction counts as UNKNOWN', async () => {
    k = await startTestKernel(FAST_CHECKS);
    const wrongGroup: StoredMessage[] = [];
    producer({ group: 'other', checkTransaction: (m) => {
      wrongGroup.push(m);
      return TransactionResolution.Commit;
    } });
    const rightGroup: StoredMessage[] = [];
    producer({ group: 'billing', checkTransaction: (m) => {
      rightGroup.push(m);
      return TransactionResolution.Rollback;
    } });
    const sent = await producer({ group: 'billing' }).sendTransactional({ topic: 'invoices', body: Buffer.from('x') }, async () => {
      throw new Error('local database down');
    });
    expect(sent.resolution).toBe(TransactionResolution.Unknown);
    await waitFor(() => k.kernel.broker.transactions.unresolvedCount === 0, 5_000, 'the rollback');
    expect(rightGroup.map((m) => m.msgId)).toEqual([sent.transactionId]);
    expect(wrongGroup).toEqual([]);
    expect(await readTopic('invoices')).toEqual([]);
  });

  test('a transaction left UNKNOWN by every check is rolled back after the configured number of checks', async () => {
    k = await startTestKernel({ ...FAST_CHECKS, transactionTimeoutMs: 100, transactionCheckMax: 3 });
    let checks = 0;
    producer({ group: 'undecided', checkTransaction: () => {
      checks++;
      return TransactionResolution.Unknown;
    } });
    await producer({ group: 'undecided' }).sendTransactional({ topic: 'limbo', body: Buffer.from('?') }, async () => TransactionResolution.Unknown);
    await waitFor(() => k.kernel.broker.transactions.unresolvedCount === 0, 8_000, 'the rollback after 3 checks');
    expect(checks).toBe(3);
    expect(k.kernel.broker.transactions.discarded).toBe(1);
    expect(await readTopic('limbo')).toEqual([]);
  });

  test('unresolved transactions survive a restart (rebuilt from the half and op topics) and are then resolved by check-back; settled ones are not checked again', async () => {
    k = await startTestKernel({ ...FAST_CHECKS, transactionTimeoutMs: 1_000 });
    const p = producer({ group: 'durable-tx' });
    const settled = await p.sendTransactional({ topic: 'ledger', body: Buffer.from('settled') }, async () => TransactionResolution.Commit);
    const pending = await p.sendTransactional({ topic: 'ledger', body: Buffer.from('pending') }, async () => TransactionResolution.Unknown);
    await p.shutdown();
    k = await k.restart();
    expect(k.kernel.broker.transactions.unresolvedCount).toBe(1);
    const checked: string[] = [];
    producer({ group: 'durable-tx', checkTransaction: (m) => {
      checked.push(m.msgId);
      return TransactionResolution.Commit;
    } });
    await waitFor(async () => (await readTopic('ledger')).length === 2, 6_000, 'the pending transaction committed');
    expect(checked).toEqual([pending.transactionId]);
    expect((await readTopic('ledger')).map((m) => m.msgId).sort()).toEqual([settled.transactionId, pending.transactionId].sort());
    k = await k.restart();
    expect(k.kernel.broker.transactions.unresolvedCount).toBe(0);
  }, 20_000);

  test('check counts survive a restart', async () => {
    k = await startTestKernel({ ...FAST_CHECKS, transactionTimeoutMs: 100, transactionCheckMax: 4 });
    let checks = 0;
    const checker = producer({ group: 'counted', checkTransaction: () => {
      checks++;
      return TransactionResolution.Unknown;
    } });
    await producer({ group: 'counted' }).sendTransactional({ topic: 'counted-topic', body: Buffer.from('?') }, async () => TransactionResolution.Unknown);
    await waitFor(() => checks >= 2, 5_000, 'two checks');
    await checker.shutdown();
    const before = checks;
    k = await k.restart();
    producer({ group: 'counted', checkTransaction: () => {
      checks++;
      return TransactionResolution.Unknown;
    } });
    await waitFor(() => k.kernel.broker.transactions.unresolvedCount === 0, 8_000, 'the rollback');
    // 4 checks in all, those before the restart included (without the op records the count would start again at 0)
    expect(before).toBeGreaterThanOrEqual(2);
    expect(checks).toBeLessThanOrEqual(4);
  }, 20_000);

  test('endTransaction refuses an unknown transaction and a foreign producer group; delayed transactional messages are refused', async () => {
    k = await startTestKernel();
    const api = k.client.brokerApi;
    await expect(api.endTransaction({ producerGroup: 'g', transactionId: 'F'.repeat(32), resolution: 'COMMIT' })).rejects.toMatchObject({ code: KernelErrorCode.TransactionNotFound });
    const half = await api.sendHalfMessage({ message: { topic: 'tx-args', body: Buffer.from('x') }, producerGroup: 'owner' });
    await expect(api.endTransaction({ producerGroup: 'intruder', transactionId: half.transactionId, resolution: 'COMMIT' })).rejects.toMatchObject({ code: KernelErrorCode.InvalidArgument });
    const byOffset = await api.endTransaction({ producerGroup: 'owner', commitLogOffset: half.commitLogOffset, resolution: 'COMMIT' });
    expect(byOffset.sendResult?.msgId).toBe(half.transactionId);
    await expect(api.sendHalfMessage({ message: { topic: 'tx-args', body: Buffer.from('x'), delayLevel: 2 }, producerGroup: 'owner' })).rejects.toMatchObject({ code: KernelErrorCode.InvalidMessage });
  });
});
