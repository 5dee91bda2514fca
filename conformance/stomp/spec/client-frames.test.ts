/** STOMP 1.2 §Client Frames: SEND, SUBSCRIBE, UNSUBSCRIBE, ACK, NACK, BEGIN, COMMIT, ABORT, DISCONNECT. */
import { RawStompClient, startStompServer, type StompServer } from '../../../test/adapters/stomp/helpers/server.js';

let server: StompServer;
const clients: RawStompClient[] = [];
let n = 0;

async function client(headers: Record<string, string> = {}): Promise<RawStompClient> {
  const c = await RawStompClient.open(server.port, { headers });
  clients.push(c);
  return c;
}

async function destination(): Promise<string> {
  const name = `cf${++n}`;
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

test('STOMP 1.2 §SEND: destination is required', async () => {
  const c = await client();
  c.frame('SEND', { receipt: 'r' }, 'x');
  const f = await c.next();
  expect(f.command).toBe('ERROR');
  expect(f.headers.get('message')).toBe('missing destination header');
  expect(f.headers.get('receipt-id')).toBe('r');
});

test('STOMP 1.2 §SEND: user-defined headers reach the MESSAGE', async () => {
  const d = await destination();
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination: d });
  const p = await client();
  await p.request('SEND', { destination: d, 'x-user': 'defined', 'content-type': 'text/plain;charset=utf-8' }, 'hi');
  const f = await sub.next();
  expect(f.headers.get('x-user')).toBe('defined');
  expect(f.headers.get('content-type')).toBe('text/plain;charset=utf-8');
});

test('STOMP 1.2 §SUBSCRIBE: an invalid ack mode is an ERROR', async () => {
  const c = await client();
  c.frame('SUBSCRIBE', { id: 's', destination: '/queue/x', ack: 'sometimes' });
  expect((await c.next()).headers.get('message')).toBe('invalid ack header "sometimes"');
});

test('STOMP 1.2 §UNSUBSCRIBE: an unknown id is an ERROR', async () => {
  const c = await client();
  c.frame('UNSUBSCRIBE', { id: 'nope' });
  expect((await c.next()).headers.get('message')).toBe('no subscription "nope"');
});

test('STOMP 1.2 §ACK and §NACK: client-individual, one message at a time', async () => {
  const d = await destination();
  const p = await client();
  await p.request('SEND', { destination: d }, 'a');
  await p.request('SEND', { destination: d }, 'b');
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination: d, ack: 'client-individual' });
  const [a, b] = await sub.take(2);
  await sub.request('ACK', { id: b!.headers.get('ack') });
  await sub.request('NACK', { id: a!.headers.get('ack') });
  const again = await sub.next();
  expect(again.body.toString()).toBe('a');
  expect(again.headers.get('redelivered')).toBe('true');
  await sub.request('ACK', { id: again.headers.get('ack') });
  expect(await sub.quiet(200)).toBe(true);
});

test('STOMP 1.2 §BEGIN/§COMMIT: a transaction spans SEND and ACK', async () => {
  const d = await destination();
  const p = await client();
  await p.request('SEND', { destination: d }, 'in');
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination: d, ack: 'client' });
  const m = await sub.next();
  const out = await destination();
  await sub.request('BEGIN', { transaction: 'tx' });
  await sub.request('ACK', { id: m.headers.get('ack'), transaction: 'tx' });
  await sub.request('SEND', { destination: out, transaction: 'tx' }, 'out');
  await sub.request('COMMIT', { transaction: 'tx' });
  const reader = await client();
  await reader.request('SUBSCRIBE', { id: 'r', destination: out });
  expect((await reader.next()).body.toString()).toBe('out');
});

test('STOMP 1.2 §DISCONNECT: the receipt confirms every earlier frame', async () => {
  const d = await destination();
  const p = await RawStompClient.open(server.port);
  for (let i = 0; i < 20; i++) p.frame('SEND', { destination: d }, `m${i}`);
  p.frame('DISCONNECT', { receipt: 'last' });
  const receipt = await p.next();
  expect(receipt.command).toBe('RECEIPT');
  expect(receipt.headers.get('receipt-id')).toBe('last');
  await p.closed;
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination: d });
  expect((await sub.take(20)).map((f) => f.body.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
});
