/**
 * DESIGN.md §5 destinations over real TCP sockets: /queue/ is point-to-point from the
 * oldest unconsumed message, /topic/ is pub/sub from "now", tags and deeper levels.
 */
import { waitFor } from '../../helpers/kernel.js';
import { useStompServer } from './helpers/fixture.js';
import { RawStompClient, startStompServer } from './helpers/server.js';

const stomp = useStompServer();

const client = (headers: Record<string, string> = {}): Promise<RawStompClient> => stomp.client(headers);

describe('/queue/X (point-to-point)', () => {
  test('messages sent before anyone subscribed are delivered (consumeFrom FIRST)', async () => {
    const producer = await client();
    for (let i = 0; i < 3; i++) await producer.request('SEND', { destination: '/queue/early' }, `m${i}`);
    const consumer = await client();
    await consumer.request('SUBSCRIBE', { id: 's1', destination: '/queue/early' });
    const frames = await consumer.take(3);
    expect(frames.map((f) => f.command)).toEqual(['MESSAGE', 'MESSAGE', 'MESSAGE']);
    expect(frames.map((f) => f.body.toString()).sort()).toEqual(['m0', 'm1', 'm2']);
    expect(frames[0]!.headers.get('destination')).toBe('/queue/early');
    expect(frames[0]!.headers.get('subscription')).toBe('s1');
  });

  test('subscribers of one queue share it: each message reaches exactly one', async () => {
    const a = await client();
    const b = await client();
    await a.request('SUBSCRIBE', { id: 'a', destination: '/queue/shared' });
    await b.request('SUBSCRIBE', { id: 'b', destination: '/queue/shared' });
    // the kernel rebalances on a timer (100 ms here): until a's next round both hold some
    // queues (at-least-once, as RocketMQ); no event says when, so wait three rounds
    await waitFor(async () => (await stomp.server.kernel.client.admin.getGroup('stomp-queue-shared'))?.members.length === 2);
    await new Promise((r) => setTimeout(r, 300));
    const producer = await client();
    const total = 40;
    for (let i = 0; i < total; i++) producer.frame('SEND', { destination: '/queue/shared' }, `n${i}`);
    await producer.request('BEGIN', { transaction: 'sync' });
    const seen = new Map<string, number>();
    // CONNECTED and the SUBSCRIBE receipt come first on each
    await a.until(() => a.frames.length + b.frames.length - 4 >= total, 10_000, 'all messages');
    for (const f of [...a.frames, ...b.frames].filter((x) => x.command === 'MESSAGE')) {
      seen.set(f.body.toString(), (seen.get(f.body.toString()) ?? 0) + 1);
    }
    expect(seen.size).toBe(total);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // both members got a share (8 kernel queues, rebalanced across the two)
    expect(a.frames.length - 1).toBeGreaterThan(0);
    expect(b.frames.length - 1).toBeGreaterThan(0);
  });
});

describe('/topic/X (publish/subscribe)', () => {
  test('every subscription gets every message sent after it subscribed, nothing from before', async () => {
    const producer = await client();
    await producer.request('SEND', { destination: '/topic/news' }, 'before');
    const a = await client();
    const b = await client();
    await a.request('SUBSCRIBE', { id: 'a', destination: '/topic/news' });
    await b.request('SUBSCRIBE', { id: 'b', destination: '/topic/news' });
    for (let i = 0; i < 5; i++) producer.frame('SEND', { destination: '/topic/news' }, `after${i}`);
    const [fa, fb] = await Promise.all([a.take(5), b.take(5)]);
    const bodies = (fs: typeof fa) => fs.map((f) => f.body.toString()).sort();
    expect(bodies(fa)).toEqual(['after0', 'after1', 'after2', 'after3', 'after4']);
    expect(bodies(fb)).toEqual(bodies(fa));
    expect(await a.quiet(150)).toBe(true);
  });

  test('level 2 is the tag: a subscription receives only its own tag', async () => {
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 'created', destination: '/topic/orders/created' });
    const producer = await client();
    await producer.request('SEND', { destination: '/topic/orders/cancelled' }, 'no');
    await producer.request('SEND', { destination: '/topic/orders' }, 'no either');
    await producer.request('SEND', { destination: '/topic/orders/created' }, 'yes');
    const f = await sub.next();
    expect(f.body.toString()).toBe('yes');
    expect(f.headers.get('destination')).toBe('/topic/orders/created');
    expect(await sub.quiet(150)).toBe(true);
  });

  test('levels 3+ must match exactly', async () => {
    const deep = await client();
    const shallow = await client();
    await deep.request('SUBSCRIBE', { id: 'eu', destination: '/topic/orders/created/eu' });
    await shallow.request('SUBSCRIBE', { id: 'all', destination: '/topic/orders/created' });
    const producer = await client();
    await producer.request('SEND', { destination: '/topic/orders/created/us' }, 'us');
    await producer.request('SEND', { destination: '/topic/orders/created/eu' }, 'eu');
    await producer.request('SEND', { destination: '/topic/orders/created' }, 'plain');
    expect((await deep.next()).body.toString()).toBe('eu');
    expect((await shallow.next()).body.toString()).toBe('plain');
    expect(await deep.quiet(100)).toBe(true);
    expect(await shallow.quiet(0)).toBe(true);
  });

  test('STOMP 1.2 §UNSUBSCRIBE: no more messages after the receipt', async () => {
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 'x', destination: '/topic/unsub' });
    const producer = await client();
    await producer.request('SEND', { destination: '/topic/unsub' }, 'one');
    expect((await sub.next()).body.toString()).toBe('one');
    await sub.request('UNSUBSCRIBE', { id: 'x' });
    await producer.request('SEND', { destination: '/topic/unsub' }, 'two');
    expect(await sub.quiet(200)).toBe(true);
  });

  test('STOMP 1.2 §SUBSCRIBE: a duplicate id or a missing id is an ERROR', async () => {
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 'dup', destination: '/topic/t' });
    sub.frame('SUBSCRIBE', { id: 'dup', destination: '/topic/t', receipt: 'r2' });
    const error = await sub.next();
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('receipt-id')).toBe('r2');
    const other = await client();
    other.frame('SUBSCRIBE', { destination: '/topic/t' });
    expect((await other.next()).headers.get('message')).toBe('missing id header');
  });
});

describe('destinations that do not exist yet', () => {
  test('SUBSCRIBE creates the kernel topic, so the first message is delivered at once', async () => {
    // a consumer would otherwise notice the new topic only at its next rebalance (a minute here)
    const slow = await startStompServer({ config: { rebalanceIntervalMs: 60_000 } });
    try {
      const sub = await RawStompClient.open(slow.port);
      await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/brand-new' });
      expect(await slow.kernel.client.admin.listTopics()).toEqual(expect.arrayContaining([expect.objectContaining({ topic: 'brand-new' })]));
      const producer = await RawStompClient.open(slow.port);
      await producer.request('SEND', { destination: '/topic/brand-new' }, 'first');
      expect((await sub.next(5_000)).body.toString()).toBe('first');
      await Promise.all([sub.disconnect(), producer.disconnect()]);
    } finally {
      await slow.close();
    }
  });
});
