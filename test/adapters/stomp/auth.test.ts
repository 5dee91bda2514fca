/**
 * Authentication and ACLs over real sockets: the users and per-topic rights MQTT uses
 * (common/user-auth.ts), answered with ERROR frames.
 */
import { createUserAuthenticator, hashPassword } from '../../../src/adapters/common/user-auth.js';
import { RawStompClient, startStompServer, type StompServer } from './helpers/server.js';

const FAST = { N: 1024, r: 8, p: 1 };
let server: StompServer;
const clients: RawStompClient[] = [];

async function client(login: string, passcode: string): Promise<RawStompClient> {
  const c = await RawStompClient.open(server.port, { headers: { login, passcode } });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = await startStompServer({
    auth: createUserAuthenticator({
      allowAnonymous: false,
      users: [
        { username: 'writer', passwordHash: hashPassword('w', FAST), acl: [{ pattern: 'orders/#', actions: ['publish'] }] },
        { username: 'reader', passwordHash: hashPassword('r', FAST), acl: [{ pattern: 'orders/created', actions: ['subscribe'] }] },
      ],
    }),
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

afterAll(async () => {
  await server.close();
});

test('wrong passcode over TCP: ERROR "authentication failed" and a close', async () => {
  const c = await RawStompClient.open(server.port, { headers: null });
  c.frame('CONNECT', { 'accept-version': '1.2', login: 'writer', passcode: 'nope' });
  const error = await c.next();
  expect(error.command).toBe('ERROR');
  expect(error.headers.get('message')).toBe('authentication failed');
  await c.closed;
});

test('publish and subscribe rights follow the ACL', async () => {
  const reader = await client('reader', 'r');
  await reader.request('SUBSCRIBE', { id: 's', destination: '/topic/orders/created' });
  const writer = await client('writer', 'w');
  await writer.request('SEND', { destination: '/topic/orders/created' }, 'allowed');
  expect((await reader.next()).body.toString()).toBe('allowed');
});

test('publishing without the right: ERROR FORBIDDEN naming the receipt', async () => {
  const reader = await client('reader', 'r');
  reader.frame('SEND', { destination: '/queue/orders/created', receipt: 'p' }, 'x');
  const error = await reader.next();
  expect(error.command).toBe('ERROR');
  expect(error.headers.get('message')).toBe('not allowed to publish to /queue/orders/created');
  expect(error.headers.get('x-error-code')).toBe('FORBIDDEN');
  expect(error.headers.get('receipt-id')).toBe('p');
});

test('subscribing without the right: ERROR FORBIDDEN', async () => {
  const reader = await client('reader', 'r');
  reader.frame('SUBSCRIBE', { id: 's', destination: '/topic/orders/cancelled' });
  const error = await reader.next();
  expect(error.headers.get('message')).toBe('not allowed to subscribe to /topic/orders/cancelled');
});
