/** STOMP 1.2 §Server Frames: MESSAGE, RECEIPT, ERROR. */
import { RawStompClient, startStompServer, type StompServer } from '../../../test/adapters/stomp/helpers/server.js';

let server: StompServer;
const clients: RawStompClient[] = [];

async function client(): Promise<RawStompClient> {
  const c = await RawStompClient.open(server.port);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = await startStompServer();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

afterAll(async () => {
  await server.close();
});

test('STOMP 1.2 §MESSAGE: destination, message-id, subscription, ack, content-type, content-length', async () => {
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 'sub-9', destination: '/queue/msg-headers', ack: 'client' });
  const p = await client();
  await p.request('SEND', { destination: '/queue/msg-headers', 'content-type': 'application/json' }, '{"k":1}');
  const f = await sub.next();
  expect(f.command).toBe('MESSAGE');
  expect(f.headers.get('destination')).toBe('/queue/msg-headers');
  expect(f.headers.get('message-id')).toMatch(/^[0-9A-F]{32}$/);
  expect(f.headers.get('subscription')).toBe('sub-9');
  expect(f.headers.get('ack')).toBeTruthy();
  expect(f.headers.get('content-type')).toBe('application/json');
  expect(f.headers.get('content-length')).toBe('7');
  expect(f.body.toString()).toBe('{"k":1}');
});

test('STOMP 1.2 §RECEIPT: every client frame that asks gets one, in order', async () => {
  const c = await client();
  c.frame('SUBSCRIBE', { id: 's', destination: '/topic/receipts-sub', receipt: '1' });
  c.frame('SEND', { destination: '/queue/receipts', receipt: '2' }, 'x');
  c.frame('BEGIN', { transaction: 't', receipt: '3' });
  c.frame('SEND', { destination: '/queue/receipts', transaction: 't', receipt: '4' }, 'y');
  c.frame('ABORT', { transaction: 't', receipt: '5' });
  c.frame('UNSUBSCRIBE', { id: 's', receipt: '6' });
  const frames = await c.take(6);
  expect(frames.map((f) => [f.command, f.headers.get('receipt-id')])).toEqual(
    ['1', '2', '3', '4', '5', '6'].map((id) => ['RECEIPT', id]),
  );
});

test('STOMP 1.2 §ERROR: message header, receipt-id, an explaining body, then close', async () => {
  const c = await client();
  c.frame('SEND', { destination: '/nowhere/x', receipt: 'bad-dest' }, 'x');
  const f = await c.next();
  expect(f.command).toBe('ERROR');
  expect(f.headers.get('message')).toBe('invalid destination "/nowhere/x"');
  expect(f.headers.get('receipt-id')).toBe('bad-dest');
  expect(f.headers.get('content-type')).toBe('text/plain');
  expect(f.body.toString()).toMatch(/destinations start with \/queue\//);
  await c.closed;
});
