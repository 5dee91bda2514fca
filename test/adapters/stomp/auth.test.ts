/**
 * Authentication and ACLs over real sockets: the users and per-topic rights MQTT uses
 * (common/user-auth.ts), answered with ERROR frames.
 */
import { createUserAuthenticator, hashPassword } from '../../../src/adapters/common/user-auth.js';
import { useStompServer } from './helpers/fixture.js';
import { RawStompClient } from './helpers/server.js';

const FAST = { N: 1024, r: 8, p: 1 };
const stomp = useStompServer({
  auth: createUserAuthenticator({
    allowAnonymous: false,
    users: [
      { username: 'writer', passwordHash: hashPassword('w', FAST), acl: [{ pattern: 'orders/#', actions: ['publish'] }] },
      { username: 'reader', passwordHash: hashPassword('r', FAST), acl: [{ pattern: 'orders/created', actions: ['subscribe'] }] },
      {
        username: 'replier', passwordHash: hashPassword('t', FAST),
        acl: [{ pattern: 'temp-queue/#', actions: ['publish', 'subscribe'] }, { pattern: 'orders/#', actions: ['publish'] }],
      },
    ],
  }),
});
const client = (login: string, passcode: string): Promise<RawStompClient> => stomp.client({ login, passcode });

test('wrong passcode over TCP: ERROR "authentication failed" and a close', async () => {
  const c = await RawStompClient.open(stomp.server.port, { headers: null });
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

test('temporary queues and topics are checked by the ACLs like any destination (temp-queue/#, temp-topic/#)', async () => {
  const reader = await client('reader', 'r');
  reader.frame('SUBSCRIBE', { id: 's', destination: '/temp-queue/replies' });
  const error = await reader.next();
  expect(error.headers.get('x-error-code')).toBe('FORBIDDEN');
  expect(error.body.toString()).toMatch(/subscribe right on temp-queue\/stomp-tmp-/);
  const replier = await client('replier', 't');
  await replier.request('SUBSCRIBE', { id: 's', destination: '/temp-queue/replies' });
  await replier.request('SEND', { destination: '/queue/orders/x', 'reply-to': '/temp-queue/replies' }, 'request');
  await replier.request('SEND', { destination: '/temp-queue/replies' }, 'to myself');
  expect((await replier.next()).body.toString()).toBe('to myself');
  replier.frame('SUBSCRIBE', { id: 't', destination: '/temp-topic/events', receipt: 'r' });
  const denied = await replier.next();
  expect(denied.headers.get('x-error-code')).toBe('FORBIDDEN');
  expect(denied.headers.get('receipt-id')).toBe('r');
});

test('a reply to another connection\'s temporary queue needs the publish right on it', async () => {
  const writer = await client('writer', 'w');
  writer.frame('SEND', { destination: '/remote-temp-queue/stomp-tmp-000000000000-in' }, 'no right');
  expect((await writer.next()).headers.get('x-error-code')).toBe('FORBIDDEN');
});
