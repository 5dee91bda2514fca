/**
 * `rocketgate send`, `consume` and `message get|find` as processes against a real
 * server, with MQTT clients on the other side: what the CLI sends arrives over MQTT with
 * its tag, keys and properties, and what MQTT publishes the CLI consumes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import mqtt from 'mqtt';
import { waitFor } from '../helpers/kernel.js';
import { startTestServer, type TestServer } from '../helpers/runtime.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { api, cli, cliJson, ROOT, tableRows } from './helpers.js';

describe('rocketgate send / consume / message', () => {
  let server: TestServer;
  let url: string;
  let temp: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    server = await startTestServer();
    url = server.url('http');
    temp = makeTempDir('rocketgate-cli-');
    for (const topic of ['sensors', 'blobs', 'retries']) await api(url, 'POST', '/v1/topics', { topic, queueCount: 2 });
  });
  afterAll(async () => {
    temp.cleanup();
    await server.stop();
  });

  test('send delivers tag, keys, properties and content type to an MQTT 5 subscriber; message get and find show it', async () => {
    const sub = await mqtt.connectAsync(server.url('mqtt'), { clientId: 'cli-send-sub', protocolVersion: 5 });
    try {
      const got = new Promise<{ topic: string; payload: Buffer; props: mqtt.IPublishPacket['properties'] }>((resolve) => {
        sub.on('message', (topic, payload, packet) => resolve({ topic, payload, props: packet.properties }));
      });
      await sub.subscribeAsync('orders/#', { qos: 1 });
      const run = await cli(['send', 'orders', '{"id":42}', '--tag', 'created', '--key', 'order-42', '--key', 'cust-7',
        '--property', 'region=eu=west', '--content-type', 'application/json', '--server', url]);
      expect(run.code).toBe(0);
      const sent = /^sent (\S+) to orders \(tag created\): queue \d+, offset \d+, 9 bytes$/.exec(run.stdout.trim());
      expect(sent).not.toBeNull();
      const msgId = sent![1]!;

      const m = await got;
      expect(m.topic).toBe('orders/created');
      expect(m.payload.toString()).toBe('{"id":42}');
      expect(m.props?.contentType).toBe('application/json');
      expect(m.props?.userProperties).toMatchObject({ region: 'eu=west' });

      const shown = await cli(['message', 'get', msgId, '--server', url]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(new RegExp(`^msgId: +${msgId}$`, 'm'));
      expect(shown.stdout).toMatch(/^tag: +created$/m);
      expect(shown.stdout).toMatch(/^keys: +order-42 cust-7$/m);
      expect(shown.stdout).toMatch(/^content type: +application\/json$/m);
      expect(shown.stdout).toMatch(/^property region: +eu=west$/m);
      expect(shown.stdout.endsWith('body:\n{"id":42}\n')).toBe(true);

      const found = await cli(['message', 'find', '--topic', 'orders', '--key', 'cust-7', '--server', url]);
      expect(found.code).toBe(0);
      const rows = tableRows(found.stdout);
      expect(rows[0]).toEqual(['MSG ID', 'TAG', 'QUEUE', 'OFFSET', 'STORED', 'BODY']);
      expect(rows[1]![0]).toBe(msgId);
      expect(rows[1]![5]).toBe('{"id":42}');
      expect((await cliJson(url, ['message', 'find', '--topic', 'orders', '--key', 'nobody'])).messages).toEqual([]);
    } finally {
      await sub.endAsync();
    }
  });

  test('message get of an unknown id is refused with MESSAGE_NOT_FOUND (exit 1)', async () => {
    const run = await cli(['message', 'get', '7F0000010000000000000000DEADBEEF', '--server', url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('rocketgate message get: the server refused: 404 MESSAGE_NOT_FOUND: message "7F0000010000000000000000DEADBEEF" not found\n');
  });

  test('consume, started first, receives what an MQTT client publishes, then acknowledges it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'consume', 'sensors', '--group', 'cli-readers', '--max', '2', '--wait', '15s', '--server', url],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const pub = await mqtt.connectAsync(server.url('mqtt'), { clientId: 'cli-consume-pub', protocolVersion: 5 });
    try {
      // the group exists once consume's first receive reached the server
      await waitFor(async () => (await api(url, 'GET', '/v1/groups/cli-readers')).status === 200, 10_000, 'the group of consume');
      await pub.publishAsync('sensors/temp', '21.5', { qos: 1, properties: { userProperties: { unit: 'C' } } });
      await pub.publishAsync('sensors/humidity', '40', { qos: 1 });
    } finally {
      await pub.endAsync();
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/^\[sensors\/temp\] \S+ queue \d+ offset \d+ .*unit=C\n21\.5$/m);
    expect(out).toMatch(/^\[sensors\/humidity\] \S+ queue \d+ offset \d+.*\n40$/m);
    expect(err).toBe('received 2 messages, acknowledged 2\n');
    // acknowledged: nothing left for the group
    const again = await cli(['consume', 'sensors', '--group', 'cli-readers', '--wait', '0', '--server', url]);
    expect(again).toMatchObject({ code: 0, stdout: '', stderr: 'no message on sensors for group cli-readers within 0\n' });
  });

  test('send --file keeps binary bytes exactly; --file - reads stdin; consume --json hands them back', async () => {
    await cli(['consume', 'blobs', '--group', 'cli-blobs', '--wait', '0', '--server', url]); // creates the group
    const bytes = randomBytes(3000);
    const file = path.join(temp.dir, 'blob.bin');
    await writeFile(file, bytes);
    expect((await cli(['send', 'blobs', '--file', file, '--tag', 'bin', '--server', url])).code).toBe(0);
    expect((await cli(['send', 'blobs', '--file', '-', '--tag', 'text', '--server', url], { input: 'from stdin\n' })).code).toBe(0);

    const got = await cliJson(url, ['consume', 'blobs', '--group', 'cli-blobs', '--max', '2', '--wait', '5s']);
    expect(got.messages).toHaveLength(2);
    const bin = got.messages.find((m: { tag: string }) => m.tag === 'bin');
    const text = got.messages.find((m: { tag: string }) => m.tag === 'text');
    expect(bin.encoding).toBe('base64');
    expect(Buffer.from(bin.body, 'base64').equals(bytes)).toBe(true);
    expect(text).toMatchObject({ body: 'from stdin\n', encoding: 'utf8', acked: true });
  });

  test('consume --no-ack leaves the message to come again after --invisible', async () => {
    await cli(['consume', 'retries', '--group', 'cli-noack', '--wait', '0', '--server', url]);
    await cli(['send', 'retries', 'again and again', '--server', url]);
    const first = await cliJson(url, ['consume', 'retries', '--group', 'cli-noack', '--max', '1', '--no-ack', '--invisible', '1s']);
    expect(first.messages).toEqual([expect.objectContaining({ body: 'again and again', acked: false })]);
    const second = await cliJson(url, ['consume', 'retries', '--group', 'cli-noack', '--max', '1', '--wait', '15s'], { timeoutMs: 25_000 });
    expect(second.messages).toEqual([expect.objectContaining({ body: 'again and again', acked: true })]);
  });

  test('consume of a topic that does not exist says how to make it (exit 1)', async () => {
    const run = await cli(['consume', 'nowhere', '--wait', '0', '--server', url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('rocketgate consume: the server refused: 404 TOPIC_NOT_FOUND: topic "nowhere" does not exist; '
      + 'create it first (rocketgate topic create nowhere) or publish to it once\n');
  });

  test('send without a body, or with both a body and --file, is a usage error (exit 2)', async () => {
    const none = await cli(['send', 'orders', '--server', url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no body: give it as an argument, with --file <path>, or --file - to read stdin');
    const both = await cli(['send', 'orders', 'x', '--file', 'y', '--server', url]);
    expect(both.code).toBe(2);
    const badProp = await cli(['send', 'orders', 'x', '--property', 'novalue', '--server', url]);
    expect(badProp.code).toBe(2);
    expect(badProp.stderr).toContain('--property: expected name=value, got "novalue"');
  });
});
