/**
 * Transactions over real TCP sockets (STOMP 1.2 §BEGIN, §COMMIT, §ABORT): SENDs and
 * ACKs of a transaction take effect at COMMIT; ABORT discards the sends and returns
 * acknowledged messages to unacknowledged.
 */
import { waitFor } from '../../helpers/kernel.js';
import { useStompServer } from './helpers/fixture.js';
import type { RawStompClient } from './helpers/server.js';

const stomp = useStompServer({ kernelOptions: { retryBackoffMs: [50] } });
let n = 0;

const client = (): Promise<RawStompClient> => stomp.client();

async function freshQueue(): Promise<string> {
  const name = `tx${++n}`;
  await stomp.server.kernel.client.admin.createTopic({ topic: name, queueCount: 1 });
  return `/queue/${name}`;
}

test('STOMP 1.2 §COMMIT: sends of a transaction are delivered only after COMMIT, in order', async () => {
  const destination = await freshQueue();
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination });
  const producer = await client();
  await producer.request('BEGIN', { transaction: 't1' });
  await producer.request('SEND', { destination, transaction: 't1' }, 'one');
  await producer.request('SEND', { destination, transaction: 't1' }, 'two');
  expect(await sub.quiet(300)).toBe(true);
  await producer.request('COMMIT', { transaction: 't1' });
  const frames = await sub.take(2);
  expect(frames.map((f) => f.body.toString())).toEqual(['one', 'two']);
});

test('STOMP 1.2 §ABORT: sends of an aborted transaction are discarded', async () => {
  const destination = await freshQueue();
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination });
  const producer = await client();
  await producer.request('BEGIN', { transaction: 't1' });
  await producer.request('SEND', { destination, transaction: 't1' }, 'discarded');
  await producer.request('ABORT', { transaction: 't1' });
  await producer.request('SEND', { destination }, 'plain');
  expect((await sub.next()).body.toString()).toBe('plain');
  expect(await sub.quiet(300)).toBe(true);
});

test('a transaction left open at disconnect is aborted', async () => {
  const destination = await freshQueue();
  const producer = await client();
  await producer.request('BEGIN', { transaction: 't' });
  await producer.request('SEND', { destination, transaction: 't' }, 'lost');
  await producer.disconnect();
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination });
  expect(await sub.quiet(300)).toBe(true);
});

test('STOMP 1.2 §ABORT: an ACK in an aborted transaction leaves the message unacknowledged', async () => {
  const destination = await freshQueue();
  const producer = await client();
  await producer.request('SEND', { destination }, 'm');
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination, ack: 'client-individual' });
  const m = await sub.next();
  await sub.request('BEGIN', { transaction: 'a' });
  await sub.request('ACK', { id: m.headers.get('ack'), transaction: 'a' });
  await sub.request('ABORT', { transaction: 'a' });
  // still unacknowledged: it can be acknowledged again, in a committed transaction this time
  await sub.request('BEGIN', { transaction: 'b' });
  await sub.request('ACK', { id: m.headers.get('ack'), transaction: 'b' });
  await sub.request('COMMIT', { transaction: 'b' });
  sub.destroy();
  await sub.closed;
  const next = await client();
  await next.request('SUBSCRIBE', { id: 's', destination, ack: 'client-individual' });
  expect(await next.quiet(400)).toBe(true);
});

test('STOMP 1.2 §ABORT: unacked after ABORT means redelivered when the subscriber leaves', async () => {
  const destination = await freshQueue();
  const producer = await client();
  await producer.request('SEND', { destination }, 'back');
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination, ack: 'client-individual' });
  const m = await sub.next();
  await sub.request('BEGIN', { transaction: 'a' });
  await sub.request('ACK', { id: m.headers.get('ack'), transaction: 'a' });
  await sub.request('ABORT', { transaction: 'a' });
  sub.destroy();
  await sub.closed;
  const next = await client();
  await next.request('SUBSCRIBE', { id: 's', destination, ack: 'client-individual' });
  const again = await next.next();
  expect(again.body.toString()).toBe('back');
  expect(again.headers.get('redelivered')).toBe('true');
});

test('STOMP 1.2 §SEND: a SEND naming an unknown transaction is an ERROR', async () => {
  const producer = await client();
  producer.frame('SEND', { destination: '/queue/x', transaction: 'none', receipt: 'r' }, 'x');
  const error = await producer.next();
  expect(error.command).toBe('ERROR');
  expect(error.headers.get('receipt-id')).toBe('r');
  expect(error.headers.get('message')).toBe('no open transaction "none"');
});

test('SENDs of a transaction are stored at once as half messages; ABORT and a dropped connection roll them back', async () => {
  const transactions = stomp.server.kernel.kernel.broker.transactions;
  const destination = await freshQueue();
  const before = transactions.unresolvedCount;
  const producer = await client();
  await producer.request('BEGIN', { transaction: 'a' });
  await producer.request('SEND', { destination, transaction: 'a' }, 'one');
  await producer.request('SEND', { destination, transaction: 'a' }, 'two');
  expect(transactions.unresolvedCount).toBe(before + 2);
  await producer.request('ABORT', { transaction: 'a' });
  expect(transactions.unresolvedCount).toBe(before);
  await producer.request('BEGIN', { transaction: 'b' });
  await producer.request('SEND', { destination, transaction: 'b' }, 'three');
  expect(transactions.unresolvedCount).toBe(before + 1);
  producer.destroy();
  await waitFor(() => transactions.unresolvedCount === before, 5_000, 'the dropped connection to roll back');
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination });
  expect(await sub.quiet(300)).toBe(true);
});

test('STOMP 1.2 §COMMIT: a transaction over several destinations commits all of them, with its ACKs', async () => {
  const [q1, q2, source] = [await freshQueue(), await freshQueue(), await freshQueue()];
  const producer = await client();
  await producer.request('SEND', { destination: source }, 'in');
  const worker = await client();
  await worker.request('SUBSCRIBE', { id: 'w', destination: source, ack: 'client-individual' });
  const input = await worker.next();
  await worker.request('BEGIN', { transaction: 't' });
  await worker.request('SEND', { destination: q1, transaction: 't' }, 'out1');
  await worker.request('SEND', { destination: q2, transaction: 't' }, 'out2');
  await worker.request('ACK', { id: input.headers.get('ack'), transaction: 't' });
  expect(stomp.server.kernel.kernel.broker.transactions.unresolvedCount).toBeGreaterThanOrEqual(2);
  await worker.request('COMMIT', { transaction: 't' });
  const [sub1, sub2] = [await client(), await client()];
  await sub1.request('SUBSCRIBE', { id: '1', destination: q1 });
  await sub2.request('SUBSCRIBE', { id: '2', destination: q2 });
  expect([(await sub1.next()).body.toString(), (await sub2.next()).body.toString()]).toEqual(['out1', 'out2']);
  // the ACK applied at COMMIT: the input is not redelivered when the worker leaves
  worker.destroy();
  await worker.closed;
  const again = await client();
  await again.request('SUBSCRIBE', { id: 's', destination: source, ack: 'client-individual' });
  expect(await again.quiet(400)).toBe(true);
});
