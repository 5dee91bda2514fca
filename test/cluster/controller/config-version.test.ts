/** The config fingerprint a controller-mode master hands its slaves changes with every topic and group change. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Broker } from '../../../src/kernel/broker/broker.js';
import { configVersion } from '../../../src/cluster/replication/config-version.js';

test('configVersion changes when a topic or a subscription group is created or changed, and only then', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-cfgv-'));
  const broker = await Broker.open({ dataDir: dir, brokerName: 'broker-a', defaultQueueCount: 8, flushIntervalMs: 20 });
  try {
    const seen = new Set<string>();
    const step = (): string => {
      const v = configVersion(broker);
      expect(seen.has(v)).toBe(false);
      seen.add(v);
      return v;
    };
    const start = step();
    expect(configVersion(broker)).toBe(start);
    await broker.topics.create({ topic: 'orders', queueCount: 4 });
    step();
    await broker.groups.ensure({ group: 'billing' });
    const afterGroup = step();
    await broker.groups.ensure({ group: 'billing' }); // unchanged
    expect(configVersion(broker)).toBe(afterGroup);
    await broker.groups.ensure({ group: 'billing', orderly: true });
    step();
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
