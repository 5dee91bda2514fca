/**
 * JMS semantics over real TCP sockets: selectors (SQL92 filters), message groups
 * (JMSXGroupID = sharding key), expiry and scheduled delivery (DESIGN.md §5).
 */
import { waitFor } from '../../helpers/kernel.js';
import { useStompServer } from './helpers/fixture.js';
import { RawStompClient, startStompServer } from './helpers/server.js';

const stomp = useStompServer();
const client = (): Promise<RawStompClient> => stomp.client();

describe('selector header (SQL92 filter)', () => {
  test('only matching messages are delivered; properties, JMSType and JMSPriority are selectable', async () => {
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/sel', selector: "region = 'eu' AND amount > 10" });
    const typed = await client();
    await typed.request('SUBSCRIBE', { id: 't', destination: '/topic/sel', selector: "JMSType = 'order' AND JMSPriority >= 7" });
    const producer = await client();
    await producer.request('SEND', { destination: '/topic/sel', region: 'eu', amount: '5' }, 'small');
    await producer.request('SEND', { destination: '/topic/sel', region: 'us', amount: '50' }, 'us');
    await producer.request('SEND', { destination: '/topic/sel', region: 'eu', amount: '50' }, 'match');
    await producer.request('SEND', { destination: '/topic/sel', type: 'order', priority: '8' }, 'typed');
    await producer.request('SEND', { destination: '/topic/sel', type: 'order', priority: '2' }, 'low');
    expect((await sub.next()).body.toString()).toBe('match');
    const t = await typed.next();
    expect(t.body.toString()).toBe('typed');
    expect(t.headers.get('type')).toBe('order');
    expect(t.headers.get('priority')).toBe('8');
    expect(await sub.quiet(200)).toBe(true);
    expect(await typed.quiet(0)).toBe(true);
  });

  test('a selector on a tagged destination still sees only that tag', async () => {
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/selt/created', selector: "color = 'red'" });
    const producer = await client();
    await producer.request('SEND', { destination: '/topic/selt/deleted', color: 'red' }, 'other tag');
    await producer.request('SEND', { destination: '/topic/selt/created', color: 'blue' }, 'blue');
    await producer.request('SEND', { destination: '/topic/selt/created', color: 'red' }, 'red');
    expect((await sub.next()).body.toString()).toBe('red');
    expect(await sub.quiet(200)).toBe(true);
  });

  test('an invalid selector is an ERROR before any consumer starts', async () => {
    const sub = await client();
    sub.frame('SUBSCRIBE', { id: 's', destination: '/topic/bad', selector: "a = = 'x'", receipt: 'r' });
    const error = await sub.next();
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('message')).toBe('invalid selector');
    expect(error.headers.get('receipt-id')).toBe('r');
  });
});

describe('JMSXGroupID (message groups)', () => {
  test("a group's messages reach one consumer, in order", async () => {
    const a = await client();
    const b = await client();
    await a.request('SUBSCRIBE', { id: 'a', destination: '/queue/grouped' });
    await b.request('SUBSCRIBE', { id: 'b', destination: '/queue/grouped' });
    await waitFor(async () => (await stomp.server.kernel.client.admin.getGroup('stomp-queue-grouped'))?.members.length === 2);
    // the kernel rebalances on a timer: let the old assignment go (three rounds)
    await new Promise((r) => setTimeout(r, 300));
    const producer = await client();
    const groups = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'];
    for (let i = 0; i < 10; i++) {
      for (const g of groups) producer.frame('SEND', { destination: '/queue/grouped', JMSXGroupID: g }, `${g}:${i}`);
    }
    await producer.request('BEGIN', { transaction: 'sync' });
    const total = groups.length * 10;
    await a.until(() => a.frames.length + b.frames.length - 4 >= total, 10_000, 'all grouped messages');
    const byConsumer = new Map<string, Map<string, number[]>>();
    for (const [name, c] of [['a', a], ['b', b]] as const) {
      for (const f of c.frames.filter((x) => x.command === 'MESSAGE')) {
        const [g, i] = f.body.toString().split(':') as [string, string];
        expect(f.headers.get('JMSXGroupID')).toBe(g);
        const perGroup = byConsumer.get(g) ?? new Map<string, number[]>();
        perGroup.set(name, [...(perGroup.get(name) ?? []), Number(i)]);
        byConsumer.set(g, perGroup);
      }
    }
    for (const g of groups) {
      const perGroup = byConsumer.get(g)!;
      expect(perGroup.size).toBe(1);
      expect([...perGroup.values()][0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });
});

describe('JMSXGroupID across NACK', () => {
  test("a NACKed message of a group is redelivered before the group's later messages", async () => {
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination: '/queue/grouped-nack', ack: 'client-individual', 'prefetch-count': 1 });
    const producer = await client();
    for (const body of ['g:1', 'g:2', 'g:3']) await producer.request('SEND', { destination: '/queue/grouped-nack', JMSXGroupID: 'g' }, body);
    const first = await sub.next();
    expect(first.body.toString()).toBe('g:1');
    // the redelivery is written while the NACK is handled, before its RECEIPT would be
    sub.frame('NACK', { id: first.headers.get('ack') });
    const again = await sub.next();
    expect(again.body.toString()).toBe('g:1');
    expect(again.headers.get('redelivered')).toBe('true');
    expect(again.headers.get('delivery-count')).toBe('2');
    expect(again.headers.get('message-id')).toBe(first.headers.get('message-id'));
    const seen: string[] = [];
    let frame = again;
    for (;;) {
      seen.push(frame.body.toString());
      sub.frame('ACK', { id: frame.headers.get('ack') });
      if (seen.length === 3) break;
      frame = await sub.next();
    }
    expect(seen).toEqual(['g:1', 'g:2', 'g:3']);
    expect(await sub.quiet(300)).toBe(true);
  });

  test("a group's message NACKed past the retry limit goes to the dead-letter topic; the group goes on", async () => {
    const limited = await startStompServer({ kernelOptions: { maxReconsumeTimes: 1 } });
    const sub = await RawStompClient.open(limited.port);
    try {
      await sub.request('SUBSCRIBE', { id: 's', destination: '/queue/grouped-dlq', ack: 'client-individual', 'prefetch-count': 1 });
      await waitFor(async () => (await limited.kernel.client.admin.getGroup('stomp-queue-grouped-dlq'))?.maxReconsumeTimes === 1);
      const producer = await RawStompClient.open(limited.port);
      await producer.request('SEND', { destination: '/queue/grouped-dlq', JMSXGroupID: 'g' }, 'poison');
      await producer.request('SEND', { destination: '/queue/grouped-dlq', JMSXGroupID: 'g' }, 'next');
      await producer.disconnect();
      for (const count of ['1', '2']) {
        const f = await sub.next();
        expect([f.body.toString(), f.headers.get('delivery-count')]).toEqual(['poison', count]);
        sub.frame('NACK', { id: f.headers.get('ack') });
      }
      expect((await sub.next()).body.toString()).toBe('next');
      await waitFor(async () => ((await limited.kernel.client.admin.topicStats('%DLQ%stomp-queue-grouped-dlq'))?.messageCount ?? 0) === 1, 10_000, 'dead letter');
    } finally {
      await sub.disconnect();
      await limited.close();
    }
  });
});

describe('expires and scheduled delivery', () => {
  test('an expired message is not delivered (JMS expires, epoch ms)', async () => {
    const producer = await client();
    await producer.request('SEND', { destination: '/queue/expiry', expires: Date.now() - 1 }, 'stale');
    await producer.request('SEND', { destination: '/queue/expiry', expires: Date.now() + 60_000 }, 'fresh');
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination: '/queue/expiry' });
    const f = await sub.next();
    expect(f.body.toString()).toBe('fresh');
    expect(Number(f.headers.get('expires'))).toBeGreaterThan(Date.now());
    expect(await sub.quiet(200)).toBe(true);
  });

  test('AMQ_SCHEDULED_DELAY holds the message back', async () => {
    const sub = await client();
    await sub.request('SUBSCRIBE', { id: 's', destination: '/queue/delayed' });
    const producer = await client();
    const sentAt = Date.now();
    await producer.request('SEND', { destination: '/queue/delayed', AMQ_SCHEDULED_DELAY: 600 }, 'later');
    const f = await sub.next();
    expect(f.body.toString()).toBe('later');
    // the kernel's timer works in 100 ms buckets (schedule-service.ts)
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(500);
  });
});
