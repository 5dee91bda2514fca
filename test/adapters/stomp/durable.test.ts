/**
 * Durable topic subscriptions (durable-subscription-name / activemq.subscriptionName
 * with client-id): they survive disconnects and a kernel restart; UNSUBSCRIBE with the
 * durable name removes them.
 */
import { startTestKernel } from '../../helpers/kernel.js';
import { RawStompClient, startStompServer, type StompServer } from './helpers/server.js';

let server: StompServer;
const clients: RawStompClient[] = [];

async function client(headers: Record<string, string> = {}): Promise<RawStompClient> {
  const c = await RawStompClient.open(server.port, { headers });
  clients.push(c);
  return c;
}

beforeEach(async () => {
  server = await startStompServer();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  await server.close();
});

test.each(['durable-subscription-name', 'activemq.subscriptionName'])('%s: messages published while the subscriber is away are kept', async (header) => {
  const sub = await client({ 'client-id': 'app-1' });
  await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/prices', [header]: 'ticker' });
  const producer = await client();
  await producer.request('SEND', { destination: '/topic/prices' }, 'while-online');
  expect((await sub.next()).body.toString()).toBe('while-online');
  await sub.disconnect();
  await producer.request('SEND', { destination: '/topic/prices' }, 'while-away');
  const back = await client({ 'client-id': 'app-1' });
  await back.request('SUBSCRIBE', { id: 's', destination: '/topic/prices', [header]: 'ticker' });
  const f = await back.next();
  expect(f.body.toString()).toBe('while-away');
  expect(await back.quiet(200)).toBe(true);
});

test('a durable subscription survives a restart of the server and its kernel', async () => {
  const sub = await client({ 'client-id': 'app-2' });
  await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/restart', 'durable-subscription-name': 'd' });
  await sub.disconnect();
  const producer = await client();
  await producer.request('SEND', { destination: '/topic/restart' }, 'kept across restart');
  await producer.disconnect();
  clients.length = 0;
  // restart: adapter and kernel stop; a new kernel opens the same directory
  await server.stopAdapter();
  const dataDir = server.kernel.dataDir;
  await server.kernel.close();
  const kernel = await startTestKernel({}, dataDir);
  server = await startStompServer({ kernel });
  const back = await client({ 'client-id': 'app-2' });
  await back.request('SUBSCRIBE', { id: 's', destination: '/topic/restart', 'durable-subscription-name': 'd' });
  expect((await back.next()).body.toString()).toBe('kept across restart');
});

test('UNSUBSCRIBE with the durable name removes the durable subscription', async () => {
  const sub = await client({ 'client-id': 'app-3' });
  await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/gone', 'durable-subscription-name': 'd' });
  await sub.request('UNSUBSCRIBE', { id: 's', 'durable-subscription-name': 'd' });
  expect(await server.kernel.client.admin.getGroup('stomp-durable-app-3-d')).toBeUndefined();
  const producer = await client();
  await producer.request('SEND', { destination: '/topic/gone' }, 'not kept');
  // subscribing again creates a new durable subscription that starts from now
  await sub.request('SUBSCRIBE', { id: 's2', destination: '/topic/gone', 'durable-subscription-name': 'd' });
  expect(await sub.quiet(300)).toBe(true);
});

test('an inactive durable subscription can be removed by name', async () => {
  const sub = await client({ 'client-id': 'app-4' });
  await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/inactive', 'activemq.subscriptionName': 'd' });
  await sub.disconnect();
  const other = await client({ 'client-id': 'app-4' });
  await other.request('UNSUBSCRIBE', { id: 'whatever', 'activemq.subscriptionName': 'd' });
  expect(await server.kernel.client.admin.getGroup('stomp-durable-app-4-d')).toBeUndefined();
});

test('a plain UNSUBSCRIBE keeps the durable subscription', async () => {
  const sub = await client({ 'client-id': 'app-5' });
  await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/kept', 'durable-subscription-name': 'd' });
  await sub.request('UNSUBSCRIBE', { id: 's' });
  const producer = await client();
  await producer.request('SEND', { destination: '/topic/kept' }, 'waiting');
  await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/kept', 'durable-subscription-name': 'd' });
  expect((await sub.next()).body.toString()).toBe('waiting');
});

test('a durable subscription without client-id is an ERROR', async () => {
  const sub = await client();
  sub.frame('SUBSCRIBE', { id: 's', destination: '/topic/x', 'durable-subscription-name': 'd' });
  const error = await sub.next();
  expect(error.headers.get('message')).toBe('durable subscriptions need a client-id');
});

test('a second connection cannot subscribe to a durable subscription in use (ERROR, as ActiveMQ Artemis); it can once the first leaves', async () => {
  const first = await client({ 'client-id': 'app-x' });
  await first.request('SUBSCRIBE', { id: 's', destination: '/topic/shared', 'durable-subscription-name': 'only-one' });
  const second = await client({ 'client-id': 'app-x' });
  second.frame('SUBSCRIBE', { id: 's', destination: '/topic/shared', 'durable-subscription-name': 'only-one', receipt: 'r' });
  const error = await second.next();
  expect(error.command).toBe('ERROR');
  expect(error.headers.get('receipt-id')).toBe('r');
  expect(error.headers.get('x-error-code')).toBe('DURABLE_SUBSCRIPTION_IN_USE');
  await second.closed;
  // another name, or the same name under another client-id, is another subscription
  const other = await client({ 'client-id': 'app-y' });
  await other.request('SUBSCRIBE', { id: 's', destination: '/topic/shared', 'durable-subscription-name': 'only-one' });
  await first.disconnect();
  const third = await client({ 'client-id': 'app-x' });
  await third.request('SUBSCRIBE', { id: 's', destination: '/topic/shared', 'durable-subscription-name': 'only-one' });
  const producer = await client();
  await producer.request('SEND', { destination: '/topic/shared' }, 'to the new owner');
  expect((await third.next()).body.toString()).toBe('to the new owner');
});
