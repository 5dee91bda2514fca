/**
 * Ack modes, NACK, redelivery, dead letters and prefetch over real TCP sockets
 * (STOMP 1.2 §SUBSCRIBE ack Header, §ACK, §NACK; DESIGN.md §5).
 */
import { waitFor } from '../../helpers/kernel.js';
import { useStompServer } from './helpers/fixture.js';
import type { RawStompClient } from './helpers/server.js';

const stomp = useStompServer({ kernelOptions: { retryBackoffMs: [50] } });
let n = 0;

const client = (): Promise<RawStompClient> => stomp.client();

/** a fresh single-queue destination, so delivery order is send order */
async function queueWith(bodies: string[]): Promise<string> {
  const name = `ack${++n}`;
  await stomp.server.kernel.client.admin.createTopic({ topic: name, queueCount: 1 });
  const producer = await client();
  for (const body of bodies) await producer.request('SEND', { destination: `/queue/${name}` }, body);
  return `/queue/${name}`;
}

describe('ack modes', () => {
  test('STOMP 1.2 §SUBSCRIBE ack Header: auto needs no ACK and has no ack header; nothing is redelivered', async () => {
    const destination = await queueWith(['a', 'b']);
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination });
    const frames = await sub.take(2);
    expect(frames.map((f) => f.body.toString())).toEqual(['a', 'b']);
    expect(frames[0]!.headers.has('ack')).toBe(false);
    await sub.disconnect();
    const again = await client();
    await again.request('SUBSCRIBE', { id: 's', destination });
    expect(await again.quiet(300)).toBe(true);
  });

  test('STOMP 1.2 §ACK: client-individual acknowledges one message; the unacked ones come back redelivered', async () => {
    const destination = await queueWith(['m1', 'm2', 'm3']);
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination, ack: 'client-individual' });
    const [m1, m2, m3] = await sub.take(3);
    expect(m1!.headers.get('ack')).toBeDefined();
    await sub.request('ACK', { id: m2!.headers.get('ack') });
    // closing the connection returns m1 and m3 (JMS: unacknowledged messages are redelivered)
    sub.destroy();
    await sub.closed;
    const next = await client();
    await next.request('SUBSCRIBE', { id: 's2', destination, ack: 'client-individual' });
    const redelivered = await next.take(2);
    expect(redelivered.map((f) => f.body.toString()).sort()).toEqual(['m1', 'm3']);
    for (const f of redelivered) {
      expect(f.headers.get('redelivered')).toBe('true');
      expect(f.headers.get('delivery-count')).toBe('2');
    }
    // the same message id on redelivery (DESIGN.md §3: duplicates share msgId)
    expect(redelivered.map((f) => f.headers.get('message-id')).sort()).toEqual([m1!.headers.get('message-id'), m3!.headers.get('message-id')].sort());
    for (const f of redelivered) await next.request('ACK', { id: f.headers.get('ack') });
    expect(await next.quiet(300)).toBe(true);
  });

  test('STOMP 1.2 §SUBSCRIBE ack Header: client mode ACK is cumulative', async () => {
    const destination = await queueWith(['c1', 'c2', 'c3', 'c4']);
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination, ack: 'client' });
    const frames = await sub.take(4);
    // ACK of the third covers the first two as well
    await sub.request('ACK', { id: frames[2]!.headers.get('ack') });
    sub.destroy();
    await sub.closed;
    const next = await client();
    await next.request('SUBSCRIBE', { id: 's', destination, ack: 'client' });
    const [again] = await next.take(1);
    expect(again!.body.toString()).toBe('c4');
    await next.request('ACK', { id: again!.headers.get('ack') });
    expect(await next.quiet(300)).toBe(true);
  });

  test('STOMP 1.1 §ACK: message-id and subscription name the message', async () => {
    const destination = await queueWith(['v11']);
    const sub = await stomp.client({ 'accept-version': '1.1' });
    await sub.request('SUBSCRIBE', { id: 's', destination, ack: 'client' });
    const [m] = await sub.take(1);
    await sub.request('ACK', { 'message-id': m!.headers.get('message-id'), subscription: 's' });
    sub.destroy();
    await sub.closed;
    const next = await client();
    await next.request('SUBSCRIBE', { id: 's', destination });
    expect(await next.quiet(300)).toBe(true);
  });

  test('STOMP 1.0 §ACK: message-id alone names the message', async () => {
    const destination = await queueWith(['v10']);
    const sub = await stomp.client({ 'accept-version': '1.0' });
    await sub.request('SUBSCRIBE', { destination, ack: 'client' });
    const [m] = await sub.take(1);
    await sub.request('ACK', { 'message-id': m!.headers.get('message-id') });
    sub.destroy();
    await sub.closed;
    const next = await client();
    await next.request('SUBSCRIBE', { id: 's', destination });
    expect(await next.quiet(300)).toBe(true);
  });

  test('STOMP 1.2 §ACK: an id that was never issued is an ERROR', async () => {
    const sub = await client();
    sub.frame('ACK', { id: 'bogus', receipt: 'r' });
    const error = await sub.next();
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('receipt-id')).toBe('r');
  });
});

describe('NACK, redelivery and the dead-letter topic', () => {
  test('STOMP 1.2 §NACK: the message is redelivered, marked redelivered with a delivery count', async () => {
    const destination = await queueWith(['again']);
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination, ack: 'client-individual' });
    const first = await sub.next();
    expect(first.headers.get('redelivered')).toBe('false');
    expect(first.headers.get('delivery-count')).toBe('1');
    await sub.request('NACK', { id: first.headers.get('ack') });
    const second = await sub.next();
    expect(second.body.toString()).toBe('again');
    expect(second.headers.get('redelivered')).toBe('true');
    expect(second.headers.get('delivery-count')).toBe('2');
    expect(second.headers.get('message-id')).toBe(first.headers.get('message-id'));
    expect(second.headers.get('destination')).toBe(destination);
    await sub.request('ACK', { id: second.headers.get('ack') });
    expect(await sub.quiet(300)).toBe(true);
  });

  test('STOMP 1.2 §NACK: past the maximum redeliveries the message goes to the dead-letter topic', async () => {
    const destination = await queueWith(['poison']);
    const group = `stomp-queue-${destination.slice('/queue/'.length)}`;
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination, ack: 'client-individual' });
    // the kernel's default maximum is 16 reconsumes: 17 deliveries in all
    for (let i = 1; i <= 17; i++) {
      const f = await sub.next(10_000);
      expect(f.headers.get('delivery-count')).toBe(String(i));
      await sub.request('NACK', { id: f.headers.get('ack') });
    }
    await waitFor(async () => ((await stomp.server.kernel.client.admin.topicStats(`%DLQ%${group}`))?.messageCount ?? 0) === 1, 10_000, 'dead letter');
    expect(await sub.quiet(300)).toBe(true);
  }, 60_000);
});

describe('prefetch (never more unacked messages in flight)', () => {
  test.each(['prefetch-count', 'activemq.prefetchSize'])('%s: 2 means two unacked messages at most', async (header) => {
    const destination = await queueWith(['p1', 'p2', 'p3', 'p4', 'p5']);
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination, ack: 'client-individual', [header]: 2 });
    const [p1, p2] = await sub.take(2);
    expect([p1, p2].map((f) => f!.body.toString())).toEqual(['p1', 'p2']);
    expect(await sub.quiet(300)).toBe(true);
    sub.frame('ACK', { id: p1!.headers.get('ack') });
    const p3 = await sub.next();
    expect(p3.body.toString()).toBe('p3');
    expect(await sub.quiet(300)).toBe(true);
    sub.frame('ACK', { id: p2!.headers.get('ack') });
    sub.frame('ACK', { id: p3.headers.get('ack') });
    const rest = await sub.take(2);
    expect(rest.map((f) => f.body.toString())).toEqual(['p4', 'p5']);
  });

  test('an invalid prefetch-count is an ERROR', async () => {
    const sub = await client();
    sub.frame('SUBSCRIBE', { id: 's', destination: '/queue/x', 'prefetch-count': 'many' });
    expect((await sub.next()).headers.get('message')).toBe('invalid prefetch "many"');
  });
});
