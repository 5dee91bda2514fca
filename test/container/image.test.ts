/**
 * The container image (Containerfile) built by scripts/build-image.sh on the stand-in base,
 * run by podman with its ports published on 127.0.0.1 only:
 * - the image: non-root user, HEALTHCHECK, the /data volume, every port exposed,
 *   configuration by environment variables, production dependencies only, small;
 * - the embedded default answers MQTT, STOMP and HTTP (and both WebSocket listeners) from
 *   the host, and a message crosses every protocol;
 * - data lives in the volume: a graceful stop (SIGTERM to node as PID 1) and a new container
 *   on the same volume keep messages and committed offsets; so does kill -9 with flush sync;
 * - the health check finds the HTTP port wherever a flag put it, and fails without a server;
 * - every container and volume is removed, and no firewall rule is added.
 * Skipped, with the reason, only where podman cannot run. Timings go to
 * test-artifacts/container/image.json.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inbox } from '../adapters/mqtt/harness.js';
import { RawStompClient, stompJsClient } from '../adapters/stomp/helpers/server.js';
import {
  NETWORK, NOTHING_ADDED, ROOT, Resources, Timings, addedSince, buildTestImage, freePort, machineState, podman, podmanOk, probePodman,
  type MachineState,
} from './podman.js';

const probe = await probePodman();
if (!probe.ok) process.stderr.write(`test/container/image.test.ts skipped: ${probe.reason}\n`);
const describeWithPodman = probe.ok ? describe : describe.skip;
/** per test: containers start in seconds, but 2 cores may be busy with the other test files */
const TEST_MS = 180_000;

/** the listeners of the embedded default and their ports inside the container */
const CONTAINER_PORTS = { mqtt: 1883, 'mqtt-ws': 8083, stomp: 61613, 'stomp-ws': 61614, http: 8080 } as const;
type Listener = keyof typeof CONTAINER_PORTS;

interface Running {
  name: string;
  /** host ports on 127.0.0.1 by listener */
  port: Record<Listener, number>;
  http: string;
}

interface StartOptions {
  volume: string;
  env?: Record<string, string>;
  /** the command after the entrypoint (default: the image's CMD, `start`) */
  args?: string[];
  /** where HTTP listens inside the container when `args` move it */
  httpPort?: number;
}

describeWithPodman('the container image (podman)', () => {
  const resources = new Resources();
  const timings = new Timings();
  let image = '';
  let baseImage = '';
  /** the machine before the tests (to find unlabelled things after: anonymous volumes, firewall rules) */
  let before: MachineState;
  const clients: Array<{ end(): unknown }> = [];

  async function start(o: StartOptions): Promise<Running> {
    const name = resources.name('server');
    const inside = { ...CONTAINER_PORTS, http: o.httpPort ?? CONTAINER_PORTS.http };
    const port = {} as Record<Listener, number>;
    const publish: string[] = [];
    for (const listener of Object.keys(inside) as Listener[]) {
      port[listener] = await freePort();
      publish.push('-p', `127.0.0.1:${port[listener]}:${inside[listener]}`);
    }
    const env = Object.entries({ ROCKETGATE_LOG_LEVEL: 'info', ...o.env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    await podmanOk(['run', '-d', '--name', name, ...resources.labels(), '--network', NETWORK, ...publish,
      '-v', `${o.volume}:/data`, '--health-interval', 'disable', ...env, image, ...(o.args ?? [])]);
    const running = { name, port, http: `http://127.0.0.1:${port.http}` };
    await waitHealthy(running);
    return running;
  }

  /** GET /v1/health from the host answers 200, and so does the image's own health check */
  async function waitHealthy(c: Running): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      // slirp4netns accepts on the host port before the server listens: bound every attempt
      const ok = await fetch(`${c.http}/v1/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status === 200, () => false);
      if (ok) break;
      const state = await podmanOk(['inspect', c.name, '--format', '{{.State.Status}}']);
      if (state !== 'running' || Date.now() > deadline) {
        const logs = await podman(['logs', c.name]);
        throw new Error(`container ${c.name} is ${state}, not healthy:\n${logs.stdout}\n${logs.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const check = await podman(['healthcheck', 'run', c.name]);
    expect({ code: check.code, out: check.stdout.trim() }).toEqual({ code: 0, out: '' });
  }

  async function mqttClient(url: string): Promise<MqttClient> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 10_000 });
    clients.push(client);
    return client;
  }

  async function stompClient(port: number): Promise<RawStompClient> {
    const client = await RawStompClient.open(port);
    clients.push({ end: () => client.destroy() });
    return client;
  }

  async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  }

  /** pop-style receive over HTTP until `n` messages came or `ms` passed; acks them */
  async function receive(c: Running, group: string, topic: string, n: number, ms = 10_000): Promise<any[]> {
    const got: any[] = [];
    const deadline = Date.now() + ms;
    while (got.length < n && Date.now() < deadline) {
      const r = await post(`${c.http}/v1/groups/${group}/topics/${topic}/receive`, { max: n - got.length, waitMs: Math.min(2_000, deadline - Date.now()) });
      expect(r.status).toBe(200);
      got.push(...r.json.messages);
      if (r.json.messages.length > 0) {
        const ack = await post(`${c.http}/v1/groups/${group}/topics/${topic}/ack`, { receiptHandles: r.json.messages.map((m: any) => m.receiptHandle) });
        expect(ack.status).toBe(200);
      }
    }
    return got;
  }

  /** creates `group` on `topic` with an empty receive: a new group reads what comes after it */
  async function prepare(c: Running, group: string, topic: string): Promise<void> {
    const r = await post(`${c.http}/v1/groups/${group}/topics/${topic}/receive`, { max: 1, waitMs: 0 });
    expect({ status: r.status, messages: r.json.messages }).toEqual({ status: 200, messages: [] });
  }

  async function byKey(c: Running, topic: string, key: string): Promise<any[]> {
    const res = await fetch(`${c.http}/v1/topics/${topic}/messages?key=${encodeURIComponent(key)}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { messages: any[] }).messages;
  }

  async function stop(c: Running, signal: 'TERM' | 'KILL'): Promise<{ exit: number; logs: string }> {
    if (signal === 'TERM') await podmanOk(['stop', '-t', '20', c.name]);
    else await podmanOk(['kill', '--signal', 'KILL', c.name]);
    await podmanOk(['wait', c.name]);
    const exit = Number(await podmanOk(['inspect', c.name, '--format', '{{.State.ExitCode}}']));
    const logs = await podman(['logs', c.name]);
    await podmanOk(['rm', '-v', c.name]);
    return { exit, logs: `${logs.stdout}${logs.stderr}` };
  }

  beforeAll(async () => {
    await Resources.removeStale();
    before = await machineState(resources.runId);
    const build = await timings.time('build', () => buildTestImage());
    image = build.image;
    baseImage = build.base;
  }, 15 * 60_000);

  afterEach(async () => {
    for (const c of clients.splice(0)) c.end();
  });

  afterAll(async () => {
    await resources.cleanup();
    timings.report('image');
  }, 60_000);

  test('the image: user node, HEALTHCHECK, /data volume, every port, env config, production dependencies only, small', async () => {
    const config = JSON.parse(await podmanOk(['image', 'inspect', image, '--format', '{{json .Config}}']));
    const healthcheck = JSON.parse(await podmanOk(['image', 'inspect', image, '--format', '{{json .HealthCheck}}']));
    expect(config.User).toBe('node');
    expect(healthcheck.Test).toEqual(['CMD', 'node', '/app/scripts/container/healthcheck.mjs']);
    expect(Object.keys(config.Volumes)).toEqual(['/data']);
    expect(Object.keys(config.ExposedPorts).sort()).toEqual(
      ['1883/tcp', '8083/tcp', '61613/tcp', '61614/tcp', '8080/tcp', '8081/tcp', '9876/tcp', '10911/tcp', '10912/tcp'].sort(),
    );
    expect(config.Entrypoint).toEqual(['node', '/app/dist/main.js']);
    expect(config.Cmd).toEqual(['start']);
    expect(config.Env).toEqual(expect.arrayContaining(['NODE_ENV=production', 'ROCKETGATE_DATA_DIR=/data', 'ROCKETGATE_HOST=0.0.0.0']));

    // node_modules holds every production dependency and no package that only development needs
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: object };
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([p, e]) => e.dev && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(p))
      .map(([p]) => p.slice('node_modules/'.length));
    expect(devOnly).toEqual(expect.arrayContaining(['jest', 'typescript', 'esbuild']));
    const listing = await podmanOk(['run', '--rm', '--network', 'none', ...resources.labels(), '--tmpfs', '/data', '--entrypoint', 'node', image,
      '-e', 'console.log(JSON.stringify(require("fs").readdirSync("/app/node_modules").flatMap((d) => d.startsWith("@") ? require("fs").readdirSync("/app/node_modules/" + d).map((s) => d + "/" + s) : [d])))']);
    const installed = JSON.parse(listing) as string[];
    expect(installed).toEqual(expect.arrayContaining(Object.keys(pkg.dependencies)));
    expect(devOnly.filter((d) => installed.includes(d))).toEqual([]);

    // what the image adds to its base (production dependencies, dist/) stays small
    const size = async (name: string) => Number(await podmanOk(['image', 'inspect', name, '--format', '{{.Size}}']));
    const [total, base] = [await size(image), await size(baseImage)];
    process.stderr.write(`[container image] ${image}: ${(total / 1e6).toFixed(0)} MB, ${((total - base) / 1e6).toFixed(0)} MB on ${baseImage}\n`);
    expect(total - base).toBeLessThan(60e6);
  }, TEST_MS);

  test('the embedded default: MQTT, STOMP, HTTP and both WebSockets from the host, a message across every protocol', async () => {
    const volume = await resources.volume();
    const c = await timings.time('start', () => start({ volume }));
    await timings.time('round trips', async () => {
      // HTTP → MQTT (TCP)
      const sub = await mqttClient(`mqtt://127.0.0.1:${c.port.mqtt}`);
      const box = inbox(sub);
      await sub.subscribeAsync('ctr/#', { qos: 1 });
      const sent = await post(`${c.http}/v1/topics/ctr/messages`, { tag: 'http', body: 'from http', properties: { origin: 'host' } });
      expect(sent.status).toBe(201);
      const [fromHttp] = await box.next(1);
      expect(fromHttp!.topic).toBe('ctr/http');
      expect(fromHttp!.payload.toString()).toBe('from http');
      expect(fromHttp!.packet.properties?.userProperties).toMatchObject({ origin: 'host' });

      // MQTT → STOMP (TCP)
      const stomp = await stompClient(c.port.stomp);
      await stomp.request('SUBSCRIBE', { id: 's1', destination: '/topic/ctr/mqtt' });
      await sub.publishAsync('ctr/mqtt', 'from mqtt', { qos: 1 });
      const frame = await stomp.next(10_000);
      expect(frame.command).toBe('MESSAGE');
      expect(frame.body.toString()).toBe('from mqtt');

      // STOMP → HTTP: a group that exists before the send reads it
      await prepare(c, 'g-ctr', 'ctr');
      stomp.frame('SEND', { destination: '/topic/ctr/stomp', receipt: 'r-send', 'content-type': 'text/plain' }, 'from stomp');
      const receipt = await stomp.next(10_000);
      expect(receipt.command).toBe('RECEIPT');
      const got = await receive(c, 'g-ctr', 'ctr', 1);
      expect(got).toEqual([expect.objectContaining({ body: 'from stomp', topic: 'ctr', tag: 'stomp', contentType: 'text/plain' })]);

      // MQTT over WebSocket → STOMP over WebSocket
      const ws = await stompJsClient(`ws://127.0.0.1:${c.port['stomp-ws']}/`);
      clients.push({ end: () => void ws.deactivate() });
      const wsBodies: string[] = [];
      const subscribed = new Promise<void>((resolve) => {
        ws.subscribe('/topic/ctr/ws', (m) => wsBodies.push(m.body), { receipt: 'ws-sub' });
        ws.watchForReceipt('ws-sub', () => resolve());
      });
      await subscribed;
      const mqttWs = await mqttClient(`ws://127.0.0.1:${c.port['mqtt-ws']}/mqtt`);
      await mqttWs.publishAsync('ctr/ws', 'over websockets', { qos: 1 });
      const deadline = Date.now() + 10_000;
      while (wsBodies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(wsBodies).toEqual(['over websockets']);
    });
    const stopped = await timings.time('graceful stop', () => stop(c, 'TERM'));
    expect(stopped.exit).toBe(0);
    expect(stopped.logs).toContain('SIGTERM: stopping');
  }, TEST_MS);

  test('data lives in the volume: a graceful stop, kill -9 with flush sync, each followed by a new container', async () => {
    const volume = await resources.volume();
    const first = await start({ volume });
    // a group that reads 2 of 5 messages and commits them, before the stop
    await post(`${first.http}/v1/topics`, { topic: 'durable', queueCount: 2 });
    await prepare(first, 'g-durable', 'durable');
    for (let i = 0; i < 5; i++) {
      const r = await post(`${first.http}/v1/topics/durable/messages`, { body: `m-${i}`, keys: [`k-${i}`] });
      expect(r.status).toBe(201);
    }
    const early = await receive(first, 'g-durable', 'durable', 2);
    expect(early).toHaveLength(2);
    expect((await stop(first, 'TERM')).exit).toBe(0);

    // a new container on the same volume, HTTP moved by a flag, flush sync from the environment
    const second = await timings.time('restart', () => start({
      volume, env: { ROCKETGATE_FLUSH: 'sync' }, args: ['start', '--http-port', '9080'], httpPort: 9080,
    }));
    expect((await byKey(second, 'durable', 'k-3')).map((m) => m.body)).toEqual(['m-3']);
    const rest = await receive(second, 'g-durable', 'durable', 3);
    expect([...early, ...rest].map((m) => m.body).sort()).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
    const info = await (await fetch(`${second.http}/v1/info`)).json() as { flush?: string; dataDir?: string };
    expect({ flush: info.flush, dataDir: info.dataDir }).toEqual({ flush: 'sync', dataDir: '/data' });

    // acknowledged under flush sync, then kill -9: every one is there in the next container
    for (let i = 0; i < 20; i++) {
      const r = await post(`${second.http}/v1/topics/crash/messages`, { body: `c-${i}`, keys: [`crash-${i}`] });
      expect(r.status).toBe(201);
    }
    const killed = await stop(second, 'KILL');
    expect(killed.exit).toBe(137);
    const third = await timings.time('restart after kill', () => start({ volume }));
    for (let i = 0; i < 20; i++) expect((await byKey(third, 'crash', `crash-${i}`)).map((m) => m.body)).toEqual([`c-${i}`]);
    expect((await byKey(third, 'durable', 'k-0')).map((m) => m.body)).toEqual(['m-0']);
    expect((await stop(third, 'TERM')).exit).toBe(0);
  }, TEST_MS);

  test('the health check fails when no rocketgate process answers', async () => {
    const name = resources.name('idle');
    await podmanOk(['run', '-d', '--name', name, ...resources.labels(), '--network', 'none', '--health-interval', 'disable',
      '--tmpfs', '/data', '--entrypoint', 'node', image, '-e', 'setInterval(() => {}, 60000)']);
    const check = await podman(['healthcheck', 'run', name]);
    expect(check.code).not.toBe(0);
    expect(check.stdout.trim()).toBe('unhealthy');
    const direct = await podman(['exec', name, 'node', '/app/scripts/container/healthcheck.mjs']);
    expect(direct.code).toBe(1);
    expect(direct.stdout).toContain('no process runs /app/dist/main.js');
    await podmanOk(['rm', '-f', '-v', '-t', '0', name]);
  }, TEST_MS);

  test('removes every container and volume it made, and adds no firewall rule', async () => {
    await resources.cleanup();
    expect(await resources.leftovers()).toEqual({ pods: [], containers: [], volumes: [] });
    expect(addedSince(before, await machineState(resources.runId))).toEqual(NOTHING_ADDED);
  }, TEST_MS);
});
