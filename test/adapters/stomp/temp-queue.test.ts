/**
 * /temp-queue/ for request/reply (DESIGN.md §5): scoped to its connection, usable as
 * reply-to, gone when the connection closes.
 */
import { waitFor } from '../../helpers/kernel.js';
import { RawStompClient, startStompServer, type StompServer } from './helpers/server.js';

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

test('request/reply through reply-to: /temp-queue/', async () => {
  const responder = await client();
  await responder.request('SUBSCRIBE', { id: 'req', destination: '/queue/requests' });
  const requester = await client();
  await requester.request('SUBSCRIBE', { id: 'replies', destination: '/temp-queue/replies' });
  await requester.request('SEND', { destination: '/queue/requests', 'reply-to': '/temp-queue/replies', 'correlation-id': 'c-1' }, 'ping');
  const request = await responder.next();
  const replyTo = request.headers.get('reply-to')!;
  expect(replyTo).toMatch(/^\/remote-temp-queue\/stomp-tmp-/);
  expect(request.headers.get('correlation-id')).toBe('c-1');
  await responder.request('SEND', { destination: replyTo, 'correlation-id': 'c-1' }, 'pong');
  const reply = await requester.next();
  expect(reply.body.toString()).toBe('pong');
  expect(reply.headers.get('correlation-id')).toBe('c-1');
  expect(reply.headers.get('destination')).toBe('/temp-queue/replies');
});

test('temporary queues are per connection', async () => {
  const a = await client();
  const b = await client();
  await a.request('SUBSCRIBE', { id: 's', destination: '/temp-queue/q' });
  await b.request('SUBSCRIBE', { id: 's', destination: '/temp-queue/q' });
  await a.request('SEND', { destination: '/temp-queue/q' }, 'for a');
  expect((await a.next()).body.toString()).toBe('for a');
  expect(await b.quiet(200)).toBe(true);
});

test('a temporary queue is deleted with its connection; replies to it are dropped', async () => {
  const requester = await client();
  await requester.request('SUBSCRIBE', { id: 's', destination: '/temp-queue/gone' });
  await requester.request('SEND', { destination: '/queue/ignored', 'reply-to': '/temp-queue/gone' }, 'x');
  const topics = async () => (await server.kernel.client.admin.listTopics()).map((t) => t.topic).filter((t) => t.startsWith('stomp-tmp-'));
  expect(await topics()).toHaveLength(1);
  const [replyTopic] = await topics();
  await requester.disconnect();
  await waitFor(async () => (await topics()).length === 0, 5_000, 'temp topic deletion');
  const late = await client();
  // answered with a RECEIPT, not an ERROR: the reply has nowhere to go (as RabbitMQ)
  await late.request('SEND', { destination: `/remote-temp-queue/${replyTopic}` }, 'too late');
  expect(await topics()).toHaveLength(0);
});

test('only the owner subscribes to a temporary queue', async () => {
  const other = await client();
  other.frame('SUBSCRIBE', { id: 's', destination: '/remote-temp-queue/stomp-tmp-abc-x' });
  expect((await other.next()).headers.get('message')).toBe('only the connection that owns a temporary queue subscribes to it');
});
