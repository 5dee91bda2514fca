/** STOMP 1.2 §STOMP Frames and the chapters on bytes: over a real TCP socket. */
import { encodeFrame } from '../../../src/adapters/stomp/encoder.js';
import { makeFrame } from '../../../src/adapters/stomp/frame.js';
import { RawStompClient, startStompServer, type StompServer } from '../../../test/adapters/stomp/helpers/server.js';

let server: StompServer;
const clients: RawStompClient[] = [];
let n = 0;

async function client(headers: Record<string, string> = {}): Promise<RawStompClient> {
  const c = await RawStompClient.open(server.port, { headers });
  clients.push(c);
  return c;
}

/** a subscriber on a fresh queue, and its destination */
async function subscriber(): Promise<{ sub: RawStompClient; destination: string }> {
  const destination = `/queue/frames${++n}`;
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination });
  return { sub, destination };
}

beforeAll(async () => {
  server = await startStompServer({ config: { maxFrameBytes: 8192, maxHeaders: 16, maxHeaderBytes: 512 } });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

afterAll(async () => {
  await server.close();
});

test('STOMP 1.2 §STOMP Frames: EOL may be CR LF', async () => {
  const { sub, destination } = await subscriber();
  const producer = await client();
  producer.raw(`SEND\r\ndestination:${destination}\r\nreceipt:crlf\r\n\r\nbody\0`);
  expect((await producer.next()).headers.get('receipt-id')).toBe('crlf');
  expect((await sub.next()).body.toString()).toBe('body');
});

test('STOMP 1.2 §STOMP Frames: a frame split across TCP segments', async () => {
  const { sub, destination } = await subscriber();
  const producer = await client();
  const bytes = encodeFrame(makeFrame('SEND', { destination, receipt: 'split' }, 'x'.repeat(3000)));
  for (let at = 0; at < bytes.length; at += 7) {
    producer.raw(bytes.subarray(at, at + 7));
    await new Promise((r) => setImmediate(r));
  }
  expect((await producer.next()).headers.get('receipt-id')).toBe('split');
  expect((await sub.next()).body.length).toBe(3000);
});

test('STOMP 1.2 §Heart-beating: EOLs between frames are not frames', async () => {
  const { sub, destination } = await subscriber();
  const producer = await client();
  producer.raw(`\n\r\nSEND\ndestination:${destination}\n\none\0\n\n\r\nSEND\ndestination:${destination}\nreceipt:two\n\ntwo\0\n`);
  expect((await producer.next()).headers.get('receipt-id')).toBe('two');
  expect((await sub.take(2)).map((f) => f.body.toString()).sort()).toEqual(['one', 'two']);
});

test('STOMP 1.2 §Header content-length: NUL bytes in the body', async () => {
  const { sub, destination } = await subscriber();
  const producer = await client();
  const body = Buffer.from([0, 0, 1, 0, 2, 0]);
  producer.raw(Buffer.concat([Buffer.from(`SEND\ndestination:${destination}\ncontent-length:6\nreceipt:nul\n\n`), body, Buffer.from([0])]));
  expect((await producer.next()).headers.get('receipt-id')).toBe('nul');
  const f = await sub.next();
  expect(f.body.equals(body)).toBe(true);
  expect(f.headers.get('content-length')).toBe('6');
});

test('STOMP 1.2 §Value Encoding: escaped header names and values arrive decoded and go out escaped', async () => {
  const { sub, destination } = await subscriber();
  const producer = await client();
  producer.raw(`SEND\ndestination:${destination}\nkey\\cwith\\ccolons:line\\none\\\\two\\rthree\nreceipt:esc\n\n\0`);
  expect((await producer.next()).headers.get('receipt-id')).toBe('esc');
  const f = await sub.next();
  expect(f.headers.get('key:with:colons')).toBe('line\none\\two\rthree');
  const raw = encodeFrame(f, '1.2').toString('binary');
  expect(raw).toContain('key\\cwith\\ccolons:line\\none\\\\two\\rthree\n');
});

test('STOMP 1.2 §Value Encoding: STOMP 1.0 sessions are not escaped', async () => {
  const destination = `/queue/frames${++n}`;
  const sub = await client({ 'accept-version': '1.0' });
  await sub.request('SUBSCRIBE', { destination });
  const producer = await client({ 'accept-version': '1.0' });
  producer.raw(`SEND\ndestination:${destination}\nraw:a\\cb\nreceipt:r\n\n\0`);
  expect((await producer.next()).headers.get('receipt-id')).toBe('r');
  expect((await sub.next()).headers.get('raw')).toBe('a\\cb');
});

test('STOMP 1.2 §Repeated Header Entries: only the first is used', async () => {
  const { sub, destination } = await subscriber();
  const producer = await client();
  producer.raw(`SEND\ndestination:${destination}\ndestination:/queue/elsewhere\ncolor:red\ncolor:blue\nreceipt:rep\n\n\0`);
  expect((await producer.next()).headers.get('receipt-id')).toBe('rep');
  expect((await sub.next()).headers.get('color')).toBe('red');
});

test.each([
  ['frame size', `SEND\ndestination:/queue/x\n\n${'z'.repeat(9000)}\0`, 'frame too large'],
  ['number of headers', `SEND\n${Array.from({ length: 17 }, (_, i) => `h${i}:v`).join('\n')}\n\n\0`, 'too many headers'],
  ['header length', `SEND\nlong:${'v'.repeat(600)}\n\n\0`, 'header line too long'],
])('STOMP 1.2 §Size Limits: %s over the limit → ERROR, then the server closes', async (_name, frame, message) => {
  const c = await client();
  c.raw(frame);
  const error = await c.next();
  expect(error.command).toBe('ERROR');
  expect(error.headers.get('message')).toBe(message);
  await c.closed;
});

test('STOMP 1.2 §STOMP Frames: a malformed frame is an ERROR; other connections are unaffected', async () => {
  const { sub, destination } = await subscriber();
  const bad = await client();
  bad.raw('SEND\nno colon here\n\n\0');
  expect((await bad.next()).headers.get('message')).toBe('header line without a colon');
  await bad.closed;
  const producer = await client();
  await producer.request('SEND', { destination }, 'unaffected');
  expect((await sub.next()).body.toString()).toBe('unaffected');
});
