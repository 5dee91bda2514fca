/**
 * `rocketgate topic create|list|show|delete` as a process against a real server.
 */
import { startTestServer, type TestServer } from '../helpers/runtime.js';
import { api, cli, cliJson, tableRows } from './helpers.js';

describe('rocketgate topic', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer();
    url = server.url('http');
  });
  afterAll(() => server.stop());

  test('create makes a topic with the queues asked for; a second create reports that it existed', async () => {
    const first = await cli(['topic', 'create', 'orders', '--queues', '3', '--server', url]);
    expect(first).toMatchObject({ code: 0, stdout: 'created topic orders with 3 queues\n', stderr: '' });
    expect((await api(url, 'GET', '/v1/topics/orders')).body).toMatchObject({ topic: 'orders', queueCount: 3 });

    const again = await cliJson(url, ['topic', 'create', 'orders', '--queues', '3']);
    expect(again).toMatchObject({ created: false, topic: 'orders', queueCount: 3 });
  });

  test('list shows each topic with queues and message count; --json gives the server document', async () => {
    await api(url, 'POST', '/v1/topics', { topic: 'listed', queueCount: 2 });
    await api(url, 'POST', '/v1/topics/listed/messages', [{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    const run = await cli(['topic', 'list', '--server', url]);
    expect(run.code).toBe(0);
    const rows = tableRows(run.stdout);
    expect(rows[0]).toEqual(['TOPIC', 'QUEUES', 'MESSAGES', 'ORDERED', 'LAST STORED']);
    const listed = rows.find((r) => r[0] === 'listed')!;
    expect(listed.slice(0, 4)).toEqual(['listed', '2', '3', 'no']);
    expect(listed[4]).toMatch(/^\d{4}-\d\d-\d\dT/);

    const json = await cliJson(url, ['topic', 'list']);
    const topic = json.topics.find((t: { topic: string }) => t.topic === 'listed');
    expect(topic).toMatchObject({ queueCount: 2, messageCount: 3 });
    expect(topic.queues).toHaveLength(2);
  });

  test('show lists the offsets of every queue', async () => {
    await api(url, 'POST', '/v1/topics', { topic: 'shown', queueCount: 2 });
    await api(url, 'POST', '/v1/topics/shown/messages', { body: 'x', shardingKey: 'same' });
    const run = await cli(['topic', 'show', 'shown', '--server', url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^topic: +shown$/m);
    expect(run.stdout).toMatch(/^messages: +1$/m);
    const queueRows = tableRows(run.stdout.split('\n\n')[1]!);
    expect(queueRows[0]).toEqual(['QUEUE', 'MIN OFFSET', 'MAX OFFSET', 'LAST STORED']);
    expect(queueRows.slice(1).map((r) => r.slice(0, 3))).toEqual(expect.arrayContaining([['0', '0', expect.stringMatching(/^[01]$/)], ['1', '0', expect.stringMatching(/^[01]$/)]]));
    expect(queueRows.slice(1).reduce((n, r) => n + Number(r[2]), 0)).toBe(1);
  });

  test('delete removes the topic; deleting it again is refused with the server\'s code (exit 1)', async () => {
    await api(url, 'POST', '/v1/topics', { topic: 'doomed' });
    expect(await cli(['topic', 'delete', 'doomed', '--server', url])).toMatchObject({ code: 0, stdout: 'deleted topic doomed\n' });
    expect((await api(url, 'GET', '/v1/topics/doomed')).status).toBe(404);

    const again = await cli(['topic', 'delete', 'doomed', '--server', url]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe('rocketgate topic delete: the server refused: 404 TOPIC_NOT_FOUND: topic "doomed" does not exist\n');
  });

  test('an invalid topic name is refused by the server with its validation message; --json puts the error on stdout', async () => {
    const run = await cli(['topic', 'create', 'a/b', '--server', url, '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('400 VALIDATION_FAILED: body/topic must match pattern');
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { status: 400, code: 'VALIDATION_FAILED' } });
  });

  test('names with % and spaces travel URL-encoded', async () => {
    await api(url, 'POST', '/v1/topics', { topic: 'odd name%1' });
    const shown = await cliJson(url, ['topic', 'show', 'odd name%1']);
    expect(shown.topic).toBe('odd name%1');
    expect((await cli(['topic', 'delete', 'odd name%1', '--server', url])).code).toBe(0);
  });
});
