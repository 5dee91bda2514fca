/**
 * `rocketgate group list|show|lag|reset-offset` as a process against a real server, with
 * groups made by real consumers (HTTP pop, an MQTT shared subscription).
 */
import mqtt from 'mqtt';
import { waitFor } from '../helpers/kernel.js';
import { startTestServer, type TestServer } from '../helpers/runtime.js';
import { api, cli, cliJson, tableRows } from './helpers.js';

async function publish(url: string, topic: string, n: number): Promise<void> {
  const res = await api(url, 'POST', `/v1/topics/${topic}/messages`, Array.from({ length: n }, (_, i) => ({ body: `${topic}-${i}` })));
  expect(res.status).toBe(201);
}

/** pops and acks everything there is for `group` on `topic` */
async function drain(url: string, group: string, topic: string): Promise<number> {
  let total = 0;
  for (;;) {
    const { body } = await api(url, 'POST', `/v1/groups/${group}/topics/${topic}/receive`, { max: 32, waitMs: 200 });
    if (body.messages.length === 0) return total;
    total += body.messages.length;
    await api(url, 'POST', `/v1/groups/${group}/topics/${topic}/ack`, { receiptHandles: body.messages.map((m: { receiptHandle: string }) => m.receiptHandle) });
  }
}

describe('rocketgate group', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer();
    url = server.url('http');
    for (const topic of ['ledger', 'refunds']) {
      await api(url, 'POST', '/v1/topics', { topic, queueCount: 2 });
      await drain(url, 'billing', topic); // the group starts from its first receive
      await publish(url, topic, 6);
      expect(await drain(url, 'billing', topic)).toBe(6);
    }
  });
  afterAll(() => server.stop());

  test('list shows the group; lag shows each queue and the total', async () => {
    const list = await cli(['group', 'list', '--server', url]);
    expect(list.code).toBe(0);
    const rows = tableRows(list.stdout);
    expect(rows[0]).toEqual(['GROUP', 'MODEL', 'FROM', 'ORDERLY', 'MAX RETRIES', 'MEMBERS', 'PROTOCOLS']);
    expect(rows.find((r) => r[0] === 'billing')).toEqual(['billing', 'clustering', 'last', 'no', '16', '0', '-']);

    await publish(url, 'ledger', 2);
    const lag = await cli(['group', 'lag', 'billing', '--topic', 'ledger', '--server', url]);
    expect(lag.code).toBe(0);
    const lagRows = tableRows(lag.stdout);
    expect(lagRows[0]).toEqual(['TOPIC', 'QUEUE', 'BROKER OFFSET', 'CONSUMER OFFSET', 'LAG']);
    expect(lagRows.slice(1, -1).map((r) => r[0])).toEqual(['ledger', 'ledger']);
    expect(lag.stdout).toMatch(/^total lag: 2$/m);
    const json = await cliJson(url, ['group', 'lag', 'billing']);
    expect(json.totalLag).toBe(2);
    expect(new Set(json.queues.map((q: { topic: string }) => q.topic))).toEqual(new Set(['ledger', 'refunds', '%RETRY%billing']));
    expect(await drain(url, 'billing', 'ledger')).toBe(2);
  });

  test('reset-offset to earliest rewinds every topic of the group, one progress line per topic on stderr', async () => {
    const run = await cli(['group', 'reset-offset', 'billing', '--to', 'earliest', '--server', url]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe([
      'reset-offset billing: 1/2 (50%) topic ledger: 2 queues, lag 8',
      'reset-offset billing: 2/2 (100%) topic refunds: 2 queues, lag 6',
      'reset-offset billing: reset 4 queues of 2 topics',
      '',
    ].join('\n'));
    expect(run.stdout).toMatch(/^group billing now starts at the earliest message on 2 topics; total lag: 14$/m);
    expect((await api(url, 'GET', '/v1/groups/billing/lag')).body.totalLag).toBe(14);
  });

  test('reset-offset to latest on one topic, and to an age; --json reports the new offsets', async () => {
    const latest = await cliJson(url, ['group', 'reset-offset', 'billing', '--to', 'latest', '--topic', 'refunds', '--no-progress']);
    expect(latest).toMatchObject({ group: 'billing', totalLag: 0, topics: [{ topic: 'refunds', totalLag: 0 }] });

    const anHourAgo = await cli(['group', 'reset-offset', 'billing', '--to', '-1h', '--topic', 'refunds', '--server', url]);
    expect(anHourAgo.code).toBe(0);
    expect(anHourAgo.stdout).toMatch(/total lag: 6$/m);
    const future = await cliJson(url, ['group', 'reset-offset', 'billing', '--to', new Date(Date.now() + 3_600_000).toISOString(), '--topic', 'refunds']);
    expect(future.totalLag).toBe(0);
  });

  test('a bad --to is a usage error (exit 2, nothing sent); an unknown group is refused (exit 1)', async () => {
    const bad = await cli(['group', 'reset-offset', 'billing', '--to', 'yesterday-ish', '--server', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--to: expected earliest, latest, an ISO date-time');
    const missing = await cli(['group', 'reset-offset', 'billing', '--server', url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--to <time>' not specified");
    const unknown = await cli(['group', 'lag', 'nobody', '--server', url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('rocketgate group lag: the server refused: 404 GROUP_NOT_FOUND: group "nobody" does not exist\n');
  });

  test('show lists the live members of a group and their subscriptions', async () => {
    const client = await mqtt.connectAsync(server.url('mqtt'), { clientId: 'cli-show-member', protocolVersion: 5 });
    try {
      await client.subscribeAsync('$share/fleet/ledger/#', { qos: 1 });
      let group = '';
      await waitFor(async () => {
        const { groups } = await cliJson(url, ['group', 'list']);
        group = groups.find((g: { group: string; members: unknown[] }) => g.group.includes('fleet') && g.members.length > 0)?.group ?? '';
        return group !== '';
      }, 10_000, 'the shared-subscription group');
      const run = await cli(['group', 'show', group, '--server', url]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^group: +${group}$`, 'm'));
      expect(run.stdout).toMatch(/^members: +1$/m);
      const members = tableRows(run.stdout.split('\n\n')[1]!);
      expect(members[0]).toEqual(['CLIENT', 'PROTOCOL', 'LAST HEARTBEAT', 'TOPIC', 'FILTER']);
      expect(members[1]![3]).toBe('ledger');
    } finally {
      await client.endAsync();
    }
  });
});
