/**
 * Transactions over real TCP sockets (STOMP 1.2 §BEGIN, §COMMIT, §ABORT): SENDs and
 * ACKs of a transaction take effect at COMMIT; ABORT discards the sends and returns
 * acknowledged messages to unacknowledged.
 */
import { RawStompClient, startStompServer, type StompServer } from './helpers/server.js';

let server: StompServer;
const clients: RawStompClient[] = [];
let n = 0;

async function client(): Promise<RawStompClient> {
  const c = await RawStompClient.open(server.port);
  clients.push(c);
  return c;
}

async function freshQueue(): Promise<string> {
  const name = `tx${++n}`;
  await server.kernel.client.admin.createTopic({ topic: name, queueCount: 1 });
  return `/queue/${name}`;
}

beforeAll(async () => {
  server = await startStompServer({ kernelOptions: { retryBackoffMs: [50] } });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

afterAll(async () => {
  await server.close();
});

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
