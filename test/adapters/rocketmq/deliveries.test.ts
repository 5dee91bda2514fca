/**
 * Auto-renew of PushConsumer deliveries (deliveries.ts) over a scripted SimpleConsumer:
 * renewal before the invisibility ends, settling with the current kernel handle (after a
 * renewal in flight), the renewal limit, and release when the client goes away.
 */
import type { SimpleConsumer } from '../../../src/kernel/index.js';
import { AutoRenewTable } from '../../../src/adapters/rocketmq/deliveries.js';

interface Call {
  op: string;
  handle: string;
  ms?: number;
}

function scriptedConsumer(calls: Call[], delayMs = 0): SimpleConsumer {
  let n = 0;
  const later = <T>(value: T): Promise<T> => new Promise((r) => setTimeout(() => r(value), delayMs));
  return {
    group: 'g', clientId: 'c',
    receive: async () => [],
    ack: async (handle) => { calls.push({ op: 'ack', handle }); },
    changeInvisibleDuration: (handle, ms) => {
      calls.push({ op: 'change', handle, ms });
      return later(`${handle.split('#')[0]}#${++n}`);
    },
    nack: async (handle, ms) => { calls.push({ op: 'nack', handle, ms }); },
    shutdown: async () => undefined,
  };
}

function table(calls: Call[], options: { maxMs?: number; delayMs?: number } = {}): AutoRenewTable {
  const consumer = scriptedConsumer(calls, options.delayMs);
  return new AutoRenewTable({ invisibleMs: 60_000, aheadMs: 20_000, maxMs: options.maxMs ?? 3_600_000, consumerOf: () => consumer, onError: () => undefined });
}

const NOW = 1_000_000;

describe('AutoRenewTable', () => {
  test('renews only deliveries whose invisibility ends within the margin, then settles with the new handle', async () => {
    const calls: Call[] = [];
    const t = table(calls);
    t.add({ handle: 'A', group: 'g', topic: 't', clientId: 'c1', commitLogOffset: 1, invisibleUntil: NOW + 10_000 }, NOW);
    t.add({ handle: 'B', group: 'g', topic: 't', clientId: 'c1', commitLogOffset: 2, invisibleUntil: NOW + 50_000 }, NOW);
    await t.renewDue(NOW);
    expect(calls).toEqual([{ op: 'change', handle: 'A', ms: 60_000 }]);
    const settled = await t.settle('A', async (current) => {
      calls.push({ op: 'ack', handle: current });
      return current;
    });
    expect(settled).toEqual({ result: 'A#1' });
    expect(t.has('A')).toBe(false);
    expect(await t.settle('A', async () => 'again')).toBeUndefined();
    expect(t.size).toBe(1);
  });

  test('a settle waits for the renewal in flight and uses the handle it produced', async () => {
    const calls: Call[] = [];
    const t = table(calls, { delayMs: 50 });
    t.add({ handle: 'A', group: 'g', topic: 't', clientId: 'c1', commitLogOffset: 1, invisibleUntil: NOW }, NOW);
    const renewing = t.renewDue(NOW);
    const settled = await t.settle('A', async (current) => current);
    await renewing;
    expect(settled).toEqual({ result: 'A#1' });
  });

  test('a delivery held past the renewal limit is no longer renewed', async () => {
    const calls: Call[] = [];
    const t = table(calls, { maxMs: 1_000 });
    t.add({ handle: 'A', group: 'g', topic: 't', clientId: 'c1', commitLogOffset: 1, invisibleUntil: NOW }, NOW);
    await t.renewDue(NOW + 2_000);
    expect(calls).toEqual([]);
    expect(t.has('A')).toBe(false);
  });

  test('releasing a client makes its deliveries visible now and leaves the others', async () => {
    const calls: Call[] = [];
    const t = table(calls);
    t.add({ handle: 'A', group: 'g', topic: 't', clientId: 'gone', commitLogOffset: 1, invisibleUntil: NOW + 50_000 }, NOW);
    t.add({ handle: 'B', group: 'g', topic: 't', clientId: 'alive', commitLogOffset: 2, invisibleUntil: NOW + 50_000 }, NOW);
    await t.releaseClient('gone');
    expect(calls).toEqual([{ op: 'change', handle: 'A', ms: 0 }]);
    expect([t.has('A'), t.has('B')]).toEqual([false, true]);
  });
});
