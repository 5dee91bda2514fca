/**
 * STOMP transactions survive a gateway crash (transactional-sends.ts): the SENDs of a
 * transaction are half messages in the store; after a restart the broker's check-back
 * commits all of them when the COMMIT had stored its commit record, and rolls them
 * back when it had not. The crashed gateway is a TransactionalSends that never
 * resolves its halves; the store is reopened from disk.
 */
import { TransactionalSends } from '../../../src/adapters/stomp/transactional-sends.js';
import { waitFor } from '../../helpers/kernel.js';
import { startTestKernel, type TestKernel } from '../../helpers/kernel.js';
import { RawStompClient, startStompServer, type StompServer } from './helpers/server.js';

const KERNEL = { transactionTimeoutMs: 50, transactionCheckIntervalMs: 3_600_000 };

let kernel: TestKernel;
let server: StompServer | undefined;
const clients: RawStompClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  await server?.close();
  server = undefined;
});

/** a gateway that stored three SENDs of a transaction and crashed; `committed`: after storing its commit record */
async function crashMidTransaction(topic: string, committed: boolean): Promise<void> {
  kernel = await startTestKernel(KERNEL);
  await kernel.client.admin.createTopic({ topic, queueCount: 1 });
  const crashed = new TransactionalSends(kernel.client, { orphanMs: 0 });
  const key = crashed.begin();
  for (let i = 0; i < 3; i++) await crashed.sendHalf(key, i, { topic, body: Buffer.from(`m${i}`) }, false);
  if (committed) await crashed.producer.send({ topic: 'stomp-tx-commits', keys: [key], body: Buffer.from('3') });
  await crashed.shutdown();
  kernel = await kernel.restart();
}

async function settleChecks(): Promise<void> {
  const broker = kernel.kernel.broker;
  await waitFor(async () => {
    await broker.transactions.checkNow();
    return broker.transactions.unresolvedCount === 0;
  }, 10_000, 'the check-backs to resolve every half');
}

test('a transaction whose COMMIT stored its commit record is committed after a crash, every SEND in order', async () => {
  await crashMidTransaction('recommit', true);
  server = await startStompServer({ kernel, config: { maxTransactionMs: 0 } });
  const sub = await RawStompClient.open(server.port);
  clients.push(sub);
  await sub.request('SUBSCRIBE', { id: 's', destination: '/queue/recommit' });
  await settleChecks();
  const frames = await sub.take(3);
  expect(frames.map((f) => f.body.toString())).toEqual(['m0', 'm1', 'm2']);
});

test('a transaction the gateway crashed in before COMMIT is rolled back, never delivered', async () => {
  await crashMidTransaction('rerollback', false);
  server = await startStompServer({ kernel, config: { maxTransactionMs: 0 } });
  const sub = await RawStompClient.open(server.port);
  clients.push(sub);
  await sub.request('SUBSCRIBE', { id: 's', destination: '/queue/rerollback' });
  await settleChecks();
  await sub.request('SEND', { destination: '/queue/rerollback' }, 'after');
  expect((await sub.next()).body.toString()).toBe('after');
  expect(await sub.quiet(200)).toBe(true);
});

test('a COMMIT later than maxTransactionMs after BEGIN is an ERROR and rolls the sends back', async () => {
  kernel = await startTestKernel(KERNEL);
  server = await startStompServer({ kernel, config: { maxTransactionMs: 0 } });
  const transactions = kernel.kernel.broker.transactions;
  const producer = await RawStompClient.open(server.port);
  clients.push(producer);
  await producer.request('BEGIN', { transaction: 't' });
  await producer.request('SEND', { destination: '/queue/expired', transaction: 't' }, 'never');
  expect(transactions.unresolvedCount).toBe(1);
  producer.frame('COMMIT', { transaction: 't', receipt: 'c' });
  const error = await producer.next();
  expect([error.command, error.headers.get('x-error-code'), error.headers.get('receipt-id')]).toEqual(['ERROR', 'TRANSACTION_EXPIRED', 'c']);
  expect(transactions.unresolvedCount).toBe(0);
});
