import { ConsumeStatus, MessageModel, ConsumeFrom, type PushConsumer, type StoredMessage } from '../../../src/kernel/index.js';
import { startTestKernel, waitFor, type TestKernel } from '../../helpers/kernel.js';

const FAST = { rebalanceIntervalMs: 100, heartbeatIntervalMs: 200, pullSuspendMs: 500 };

describe('consumer groups', () => {
  let k: TestKernel;
  const consumers: PushConsumer[] = [];

  beforeEach(async () => {
    k = await startTestKernel();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.shutdown(100)));
    await k.cleanup();
  });

  async function publish(topic: string, count: number, from = 0, extra: { shardingKey?: (i: number) => string } = {}): Promise<void> {
    const producer = k.client.createProducer();
    for (let i = from; i < from + count; i++) {
      await producer.send({ topic, body: Buffer.from(String(i)), tag: i % 2 === 0 ? 'even' : 'odd', shardingKey: extra.shardingKey?.(i) });
    }
  }

  function consumer(group: string, options: Partial<Parameters<TestKernel['client']['createPushConsumer']>[0]> = {}): PushConsumer {
    const c = k.client.createPushConsumer({ group, consumeFrom: ConsumeFrom.First, ...FAST, ...options });
    consumers.push(c);
    return c;
  }

  test('a clustering group of 3 consumers over 8 queues consumes each message exactly once when nothing fails', async () => {
    await k.client.admin.createTopic({ topic: 'orders', queueCount: 8 });
    const seen = new Map<string, string[]>();
    const members = [consumer('g1'), consumer('g1'), consumer('g1')];
    for (const c of members) {
      c.subscribe('orders', '*');
      await c.start(async (m) => {
        seen.set(m.body.toString(), [...(seen.get(m.body.toString()) ?? []), c.clientId]);
        return ConsumeStatus.Success;
      });
    }
    // steady state: the 8 queues split among the 3 members with no overlap
    await waitFor(() => {
      const assigned = members.flatMap((c) => c.assignedQueues().filter((q) => q.topic === 'orders').map((q) => q.queueId));
      return assigned.length === 8 && new Set(assigned).size === 8 && members.every((c) => c.assignedQueues().some((q) => q.topic === 'orders'));
    }, 10_000, 'a settled rebalance');
    await publish('orders', 600);
    await waitFor(() => seen.size === 600, 20_000, '600 messages');
    await new Promise((r) => setTimeout(r, 300));
    expect([...seen.values()].every((who) => who.length === 1)).toBe(true);
    // every member took part
    const byMember = new Set([...seen.values()].map((w) => w[0]));
    expect(byMember.size).toBe(3);
  });

  test('a member that leaves hands its queues over: nothing is lost, duplicates only around the move', async () => {
    await k.client.admin.createTopic({ topic: 'jobs', queueCount: 8 });
    const seen = new Set<string>();
    const a = consumer('g2');
    const b = consumer('g2');
    for (const c of [a, b]) {
      c.subscribe('jobs');
      await c.start(async (m) => {
        seen.add(m.body.toString());
        return ConsumeStatus.Success;
      });
    }
    await publish('jobs', 200);
    await waitFor(() => seen.size >= 100, 10_000);
    await b.shutdown();
    await publish('jobs', 200, 200);
    await waitFor(() => seen.size === 400, 20_000, 'all 400 after b left');
    const lag = await k.client.admin.groupLag('g2');
    await waitFor(async () => (await k.client.admin.groupLag('g2')).every((q) => q.lag === 0), 5_000, 'lag 0');
    expect(lag.length).toBeGreaterThan(0);
  });

  test('broadcasting: every member gets every message', async () => {
    const got = [new Set<string>(), new Set<string>(), new Set<string>()];
    for (let i = 0; i < 3; i++) {
      const c = consumer('bcast', { messageModel: MessageModel.Broadcasting });
      c.subscribe('news');
      await c.start(async (m) => {
        got[i]!.add(m.body.toString());
        return ConsumeStatus.Success;
      });
    }
    await publish('news', 100);
    await waitFor(() => got.every((s) => s.size === 100), 20_000, 'every member has 100');
  });

  test('tag expressions filter on the consume queue and are confirmed on the message', async () => {
    const got: string[] = [];
    const c = consumer('tags');
    c.subscribe('tagged', 'even || nothing');
    await c.start(async (m) => {
      got.push(m.tag ?? '');
      return ConsumeStatus.Success;
    });
    await publish('tagged', 50);
    await waitFor(() => got.length === 25, 10_000);
    expect(got.every((t) => t === 'even')).toBe(true);
  });

  test('100 sharding keys under concurrency 8 with a rebalance in the middle keep per-key order (orderly)', async () => {
    await k.client.admin.createTopic({ topic: 'fifo', queueCount: 8, order: true });
    const firstSeen = new Map<string, number[]>();
    const violations: string[] = [];
    const listener = async (m: StoredMessage): Promise<ConsumeStatus> => {
      const [key, seqText] = m.body.toString().split(':') as [string, string];
      const seq = Number(seqText);
      const list = firstSeen.get(key) ?? [];
      if (!list.includes(seq)) {
        if (list.length > 0 && seq !== list[list.length - 1]! + 1) violations.push(`${key}: ${seq} after ${list[list.length - 1]}`);
        if (list.length === 0 && seq !== 0) violations.push(`${key}: first ${seq}`);
        list.push(seq);
        firstSeen.set(key, list);
      }
      return ConsumeStatus.Success;
    };
    const a = consumer('fifo-g', { orderly: true, consumeConcurrency: 8 });
    a.subscribe('fifo');
    await a.start(listener);
    const producer = k.client.createProducer();
    const send = async (round: number): Promise<void> => {
      await Promise.all(Array.from({ length: 100 }, (_, key) => producer.send({ topic: 'fifo', body: Buffer.from(`k${key}:${round}`), shardingKey: `k${key}` })));
    };
    for (let round = 0; round < 10; round++) await send(round);
    const b = consumer('fifo-g', { orderly: true, consumeConcurrency: 8 });
    b.subscribe('fifo');
    await b.start(listener);
    for (let round = 10; round < 20; round++) await send(round);
    await waitFor(() => [...firstSeen.values()].reduce((n, l) => n + l.length, 0) === 2000, 30_000, '2000 distinct messages');
    expect(violations).toEqual([]);
  });

  test('offsets survive a restart', async () => {
    const seen: string[] = [];
    let c = consumer('durable');
    c.subscribe('ledger');
    await c.start(async (m) => {
      seen.push(m.body.toString());
      return ConsumeStatus.Success;
    });
    await publish('ledger', 50);
    await waitFor(() => seen.length === 50);
    await c.shutdown();
    consumers.length = 0;
    k = await k.restart();
    await publish('ledger', 30, 50);
    const after: string[] = [];
    c = consumer('durable');
    c.subscribe('ledger');
    await c.start(async (m) => {
      after.push(m.body.toString());
      return ConsumeStatus.Success;
    });
    await waitFor(() => after.length >= 30, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(after.sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 30 }, (_, i) => String(50 + i)));
  });

  test('a new group starts at first, last or a timestamp', async () => {
    // one queue, so a marker published after the group started arrives after everything
    // the group will ever see from before it: once the marker is in, the count is final
    await k.client.admin.createTopic({ topic: 'starts', queueCount: 1 });
    await publish('starts', 10);
    const pullAll = async (group: string, from: ConsumeFrom, timestamp?: number): Promise<number> => {
      const seen: string[] = [];
      const c = consumer(group, { consumeFrom: from, consumeTimestamp: timestamp });
      c.subscribe('starts');
      await c.start(async (m) => {
        seen.push(m.body.toString());
        return ConsumeStatus.Success;
      });
      await waitFor(() => c.assignedQueues().some((q) => q.topic === 'starts'), 10_000, `${group} assigned`);
      const marker = `marker-${group}`;
      await k.client.createProducer().send({ topic: 'starts', body: Buffer.from(marker) });
      await waitFor(() => seen.includes(marker), 10_000, `${group} reaches its marker`);
      return seen.filter((b) => /^\d+$/.test(b)).length;
    };
    // store times have millisecond resolution: keep the two batches apart
    await new Promise((r) => setTimeout(r, 5));
    const middle = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    await publish('starts', 5, 10);
    expect(await pullAll('from-first', ConsumeFrom.First)).toBe(15);
    expect(await pullAll('from-last', ConsumeFrom.Last)).toBe(0);
    expect(await pullAll('from-time', ConsumeFrom.Timestamp, middle)).toBe(5);
  });

  test('an admin reset moves a live group back to a timestamp', async () => {
    const seen: string[] = [];
    const c = consumer('resettable');
    c.subscribe('replay');
    await c.start(async (m) => {
      seen.push(m.body.toString());
      return ConsumeStatus.Success;
    });
    const start = Date.now() - 1;
    await publish('replay', 20);
    await waitFor(() => seen.length === 20);
    await k.client.admin.resetOffset({ group: 'resettable', topic: 'replay', timestamp: start });
    await waitFor(() => seen.length === 40, 10_000, 'replayed 20');
  });
});
