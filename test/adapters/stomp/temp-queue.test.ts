/**
 * /temp-queue/ for request/reply (DESIGN.md §5): scoped to its connection, usable as
 * reply-to, gone when the connection closes.
 */
import { waitFor } from '../../helpers/kernel.js';
import { useStompServer } from './helpers/fixture.js';
import type { RawStompClient } from './helpers/server.js';

const stomp = useStompServer();

const client = (): Promise<RawStompClient> => stomp.client();

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
  const topics = async () => (await stomp.server.kernel.client.admin.listTopics()).map((t) => t.topic).filter((t) => t.startsWith('stomp-tmp-'));
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
  expect((await other.next()).headers.get('message')).toBe('only the connection that owns a temporary destination subscribes to it');
});

test('/temp-topic/: request/reply through reply-to, every subscription of the owner gets each reply', async () => {
  const responder = await client();
  await responder.request('SUBSCRIBE', { id: 'req', destination: '/queue/topic-requests' });
  const requester = await client();
  await requester.request('SUBSCRIBE', { id: 'a', destination: '/temp-topic/events' });
  await requester.request('SUBSCRIBE', { id: 'b', destination: '/temp-topic/events' });
  await requester.request('SEND', { destination: '/queue/topic-requests', 'reply-to': '/temp-topic/events' }, 'ping');
  const replyTo = (await responder.next()).headers.get('reply-to')!;
  expect(replyTo).toMatch(/^\/remote-temp-topic\/stomp-tmpt-/);
  await responder.request('SEND', { destination: replyTo }, 'pong');
  const replies = await requester.take(2);
  expect(replies.map((f) => [f.headers.get('subscription'), f.body.toString(), f.headers.get('destination')]).sort())
    .toEqual([['a', 'pong', '/temp-topic/events'], ['b', 'pong', '/temp-topic/events']]);
  // the same name on another connection is another topic; nobody but the owner subscribes
  const other = await client();
  other.frame('SUBSCRIBE', { id: 's', destination: replyTo });
  expect((await other.next()).headers.get('x-error-code')).toBe('INVALID_DESTINATION');
  await requester.disconnect();
  await waitFor(async () => !(await stomp.server.kernel.client.admin.listTopics()).some((t) => t.topic.startsWith('stomp-tmpt-')), 5_000, 'temp topic deletion');
});
