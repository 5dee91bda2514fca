/** STOMP 1.2 §Connecting, §Protocol Negotiation and §Heart-beating, over a real TCP socket. */
import { RawStompClient, startStompServer, type StompServer } from '../../../test/adapters/stomp/helpers/server.js';

let server: StompServer;

beforeAll(async () => {
  server = await startStompServer({ config: { heartBeatMs: [50, 50] } });
});

afterAll(async () => {
  await server.close();
});

async function connectRaw(headers: string): Promise<RawStompClient> {
  const c = await RawStompClient.open(server.port, { headers: null });
  c.raw(`CONNECT\n${headers}\n\0`);
  return c;
}

test('STOMP 1.2 §Connecting: CONNECTED carries version, session, server and heart-beat', async () => {
  const c = await connectRaw('accept-version:1.2\nhost:localhost\n');
  const f = await c.next();
  expect(f.command).toBe('CONNECTED');
  expect(f.headers.get('version')).toBe('1.2');
  expect(f.headers.get('server')).toMatch(/^rocketgate/);
  expect(f.headers.get('session')).toBeTruthy();
  expect(f.headers.get('heart-beat')).toBe('50,50');
  await c.disconnect();
});

test('STOMP 1.2 §Protocol Negotiation: the highest common version', async () => {
  const c = await connectRaw('accept-version:1.0,1.1\n');
  expect((await c.next()).headers.get('version')).toBe('1.1');
  await c.disconnect();
});

test('STOMP 1.2 §Protocol Negotiation: no common version → ERROR with supported versions, close', async () => {
  const c = await connectRaw('accept-version:9.9\n');
  const f = await c.next();
  expect(f.command).toBe('ERROR');
  expect(f.headers.get('version')).toBe('1.0,1.1,1.2');
  await c.closed;
});

test('STOMP 1.2 §Connecting: only CONNECT or STOMP may come first', async () => {
  const c = await RawStompClient.open(server.port, { headers: null });
  c.raw('SUBSCRIBE\nid:1\ndestination:/topic/x\n\n\0');
  expect((await c.next()).headers.get('message')).toBe('not connected');
  await c.closed;
});

test('STOMP 1.2 §Heart-beating: the server beats at max(sx, cy) while idle', async () => {
  const c = await connectRaw('accept-version:1.2\nheart-beat:0,60\n');
  await c.next();
  let beats = 0;
  c.socket.on('data', (chunk: Buffer) => {
    for (const b of chunk) if (b === 0x0a) beats++;
  });
  const started = Date.now();
  await c.until(() => beats >= 3, 2_000, 'three heart-beats');
  expect(Date.now() - started).toBeLessThan(1_500);
  await c.disconnect();
});

test('STOMP 1.2 §Heart-beating: a silent client is dropped after missing its beats', async () => {
  const c = await connectRaw('accept-version:1.2\nheart-beat:60,0\n');
  await c.next();
  const started = Date.now();
  const f = await c.next(3_000);
  expect(f.command).toBe('ERROR');
  expect(f.headers.get('message')).toBe('heart-beat timeout');
  await c.closed;
  // max(cx, sy) = 60 ms, dropped after two missed intervals
  expect(Date.now() - started).toBeGreaterThanOrEqual(100);
});

test('STOMP 1.2 §Heart-beating: a client that beats stays connected', async () => {
  const c = await connectRaw('accept-version:1.2\nheart-beat:60,0\n');
  await c.next();
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 40));
    c.raw('\n');
  }
  expect(c.isClosed).toBe(false);
  await c.disconnect();
});
