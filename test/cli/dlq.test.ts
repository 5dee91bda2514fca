/**
 * `rocketgate dlq list|redrive` as processes against a real server whose dead-letter queue
 * fills the way it does in production: a webhook whose receiver is down, one attempt each.
 */
import { waitFor } from '../helpers/kernel.js';
import { startTestServer, type TestServer } from '../helpers/runtime.js';
import { api, cli, cliJson, closedPort, tableRows } from './helpers.js';

const COUNT = 250;

describe('rocketgate dlq', () => {
  let server: TestServer;
  let url: string;
  let group: string;
  beforeAll(async () => {
    server = await startTestServer();
    url = server.url('http');
    const hook = await api(url, 'POST', '/v1/webhooks', { topic: 'payments', url: `http://127.0.0.1:${await closedPort()}/hook`, maxAttempts: 1 });
    expect(hook.status).toBe(201);
    group = hook.body.group;
    const items = Array.from({ length: COUNT }, (_, i) => ({ body: `payment-${i}`, tag: 'failed' }));
    expect((await api(url, 'POST', '/v1/topics/payments/messages', items)).status).toBe(201);
    await waitFor(async () => (await api(url, 'GET', `/v1/topics/${encodeURIComponent(`%DLQ%${group}`)}`)).body?.messageCount === COUNT, 20_000, 'dead letters');
    // the receiver stays down: without the webhook, re-driven messages rest in the retry topic
    expect((await api(url, 'DELETE', `/v1/webhooks/${hook.body.id}`)).status).toBe(204);
  }, 30_000);
  afterAll(() => server.stop());

  test('list without a group shows the groups with dead letters; with one, a page of them', async () => {
    const all = await cli(['dlq', 'list', '--server', url]);
    expect(all.code).toBe(0);
    const rows = tableRows(all.stdout);
    expect(rows[0]).toEqual(['GROUP', 'DEAD LETTERS', 'LAST STORED']);
    expect(rows.find((r) => r[0] === group)?.[1]).toBe(String(COUNT));

    const page = await cli(['dlq', 'list', group, '--max', '5', '--server', url]);
    expect(page.code).toBe(0);
    const letters = tableRows(page.stdout);
    expect(letters[0]).toEqual(['OFFSET', 'MSG ID', 'ORIGIN TOPIC', 'TAG', 'RETRIES', 'STORED', 'REDRIVEN', 'BODY']);
    expect(letters.slice(1, 6).map((r) => [r[0], r[2], r[3], r[6]])).toEqual(['0', '1', '2', '3', '4'].map((o) => [o, 'payments', 'failed', 'no']));
    expect(letters.slice(1, 6).every((r) => /^payment-\d+$/.test(r[7]!))).toBe(true);
    expect(page.stdout).toMatch(/^more: --offset 5$/m);
  });

  test('redrive sends every dead letter back in batches, a progress line per batch; a second run has nothing left', async () => {
    const run = await cli(['dlq', 'redrive', group, '--batch', '100', '--server', url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`re-drove ${COUNT} dead letters of group ${group} to its retry topic\n`);
    expect(run.stderr.split('\n')).toEqual([
      `re-drive ${group}: 100/${COUNT} (40%) (batch 1: 100 sent back)`,
      `re-drive ${group}: 200/${COUNT} (80%) (batch 2: 100 sent back)`,
      `re-drive ${group}: ${COUNT}/${COUNT} (100%) (batch 3: 50 sent back)`,
      `re-drive ${group}: ${COUNT} dead letters sent back`,
      '',
    ]);
    const retry = await api(url, 'GET', `/v1/topics/${encodeURIComponent(`%RETRY%${group}`)}`);
    expect(retry.body.messageCount).toBe(COUNT);

    const listed = await cliJson(url, ['dlq', 'list', group, '--max', '1000']);
    expect(listed.messages).toHaveLength(COUNT);
    expect(listed.messages.every((m: { redriven: boolean }) => m.redriven)).toBe(true);

    const again = await cliJson(url, ['dlq', 'redrive', group, '--no-progress']);
    expect(again).toMatchObject({ group, redriven: 0, failed: 0, results: [] });
  });

  test('redrive --msg-id sends one again; an id not in the DLQ makes it a partial success (exit 4)', async () => {
    const [first] = (await cliJson(url, ['dlq', 'list', group, '--max', '1'])).messages;
    const run = await cli(['dlq', 'redrive', group, '--msg-id', first.msgId, '--msg-id', 'NOT-A-DEAD-LETTER', '--server', url]);
    expect(run.code).toBe(4);
    expect(run.stdout).toBe(`re-drove 1 dead letter of group ${group} to its retry topic\n`);
    expect(run.stderr).toContain(`not in the dead-letter queue of ${group}: NOT-A-DEAD-LETTER\n`);
    expect(run.stderr).toContain('rocketgate dlq redrive: 1 dead letter not re-driven\n');
    const retry = await api(url, 'GET', `/v1/topics/${encodeURIComponent(`%RETRY%${group}`)}`);
    expect(retry.body.messageCount).toBe(COUNT + 1);
  });

  test('an unknown group is refused (exit 1)', async () => {
    const run = await cli(['dlq', 'list', 'no-such-group', '--server', url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('404 GROUP_NOT_FOUND: group "no-such-group" does not exist');
  });
});
