/**
 * compose.yaml's cluster, run from the image: its services (two nameservers, the broker
 * group's SYNC_MASTER and SLAVE on their own volumes, two gateways) with their commands,
 * environment, volumes and health checks taken from compose.yaml, each a container of one
 * podman pod. The pod stands in for compose's network (service names resolve to the pod's
 * loopback, which compose.yaml's distinct ports allow); it publishes the gateways' ports on
 * 127.0.0.1 through slirp4netns, so no bridge, network or firewall rule is made.
 *
 * Under HTTP publish load on both gateways the master is killed (kill -9): every publish
 * that was acknowledged (201) is then found through the gateways, by key (the index) and by
 * msgId (the commit log), while the master is down (served by the slave: SYNC_MASTER
 * acknowledged it only once the slave had it), and again after the master is back on its
 * volume, which takes new publishes. The cluster runs with
 * `ROCKETGATE_CLUSTER_TIMERS=fast`, the only setting added to compose.yaml's.
 * Skipped, with the reason, only where podman cannot run. Timings go to
 * test-artifacts/container/cluster.json.
 */
import mqtt from 'mqtt';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { inbox } from '../adapters/mqtt/harness.js';
import {
  NOTHING_ADDED, ROOT, Resources, Timings, addedSince, buildTestImage, freePort, machineState, podman, podmanOk, probePodman,
  type MachineState,
} from './podman.js';

const probe = await probePodman();
if (!probe.ok) process.stderr.write(`test/container/cluster.test.ts skipped: ${probe.reason}\n`);
const describeWithPodman = probe.ok ? describe : describe.skip;
const TEST_MS = 240_000;

interface Service {
  image: string;
  build: unknown;
  restart: string;
  command: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck: { test: string[] };
}
interface Compose {
  name: string;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const SERVICE_KEYS = ['image', 'build', 'restart', 'command', 'environment', 'volumes', 'ports', 'depends_on', 'healthcheck'];
const compose = parse(readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as Compose;

/** the value after `flag` in a service's command */
const flag = (s: Service, name: string): string | undefined => s.command[s.command.indexOf(name) + 1];

/** services in an order that starts each after what it depends on */
function startOrder(services: Record<string, Service>): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[]): void => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`depends_on cycle: ${[...path, name].join(' → ')}`);
    for (const dep of Object.keys(services[name]!.depends_on ?? {})) visit(dep, [...path, name]);
    order.push(name);
  };
  Object.keys(services).forEach((name) => visit(name, []));
  return order;
}

describe('compose.yaml', () => {
  test('describes two nameservers, a master and slave of one broker group with volumes, two gateways, all health-checked', () => {
    const services = compose.services;
    const roles = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.command[0]]));
    expect(Object.values(roles).sort()).toEqual(['broker', 'broker', 'gateway', 'gateway', 'nameserver', 'nameserver']);
    for (const [name, s] of Object.entries(services)) {
      expect({ name, keys: Object.keys(s).filter((k) => !SERVICE_KEYS.includes(k)) }).toEqual({ name, keys: [] });
      expect({ name, healthcheck: s.healthcheck.test }).toEqual({ name, healthcheck: ['CMD', 'node', '/app/scripts/container/healthcheck.mjs'] });
    }
    const nameservers = Object.entries(services).filter(([, s]) => s.command[0] === 'nameserver')
      .map(([name, s]) => `${name}:${flag(s, '--nameserver-port')}`).sort();
    const brokers = Object.values(services).filter((s) => s.command[0] === 'broker');
    const gateways = Object.values(services).filter((s) => s.command[0] === 'gateway');
    for (const s of [...brokers, ...gateways]) expect(flag(s, '--namesrv-addr')!.split(';').sort()).toEqual(nameservers);
    expect(brokers.map((s) => [flag(s, '--broker-name'), flag(s, '--broker-id'), flag(s, '--role')]).sort())
      .toEqual([['broker-a', '0', 'SYNC_MASTER'], ['broker-a', '1', 'SLAVE']]);
    for (const s of brokers) {
      const [volume, mount] = s.volumes![0]!.split(':');
      expect(mount).toBe('/data');
      expect(Object.keys(compose.volumes)).toContain(volume);
    }
    for (const s of gateways) {
      expect(s.ports!.length).toBeGreaterThanOrEqual(5);
      for (const p of s.ports!) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });
});

describeWithPodman('the compose cluster in a pod (podman)', () => {
  const resources = new Resources();
  const timings = new Timings();
  let before: MachineState;
  let image = '';
  let pod = '';
  /** compose volume name → this run's volume */
  const volumes = new Map<string, string>();
  /** host port on 127.0.0.1 by published container port */
  const hostPort = new Map<number, number>();
  const containerOf = (service: string) => `${pod}-${service}`;
  const gatewayUrl = (service: string): string => {
    const port = Number(compose.services[service]!.environment?.ROCKETGATE_HTTP_PORT ?? 8080);
    return `http://127.0.0.1:${hostPort.get(port)}`;
  };

  async function runService(name: string): Promise<void> {
    const s = compose.services[name]!;
    const env = Object.entries({ ...s.environment, ROCKETGATE_CLUSTER_TIMERS: 'fast' }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const mounts = (s.volumes ?? []).flatMap((v) => {
      const [volume, target] = v.split(':');
      return ['-v', `${volumes.get(volume!)}:${target}`];
    });
    await podmanOk(['run', '-d', '--pod', pod, '--name', containerOf(name), ...resources.labels(), '--health-interval', 'disable',
      ...(mounts.length > 0 ? mounts : ['--tmpfs', '/data']), ...env, image, ...s.command]);
  }

  /** the image's health check (as compose runs it) passes for `name` */
  async function waitHealthy(name: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const check = await podman(['healthcheck', 'run', containerOf(name)]);
      if (check.code === 0) return;
      const state = await podmanOk(['inspect', containerOf(name), '--format', '{{.State.Status}}']);
      if (state !== 'running' || Date.now() > deadline) {
        const logs = await podman(['logs', containerOf(name)]);
        throw new Error(`${name} is ${state}, not healthy (${check.stdout.trim()}):\n${logs.stdout}\n${logs.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** HTTP status of a publish with `key` as body and key, and the msgId when acknowledged */
  async function publish(url: string, topic: string, key: string): Promise<{ status: number; msgId?: string }> {
    const res = await fetch(`${url}/v1/topics/${topic}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: key, keys: [key] }),
      signal: AbortSignal.timeout(5_000),
    });
    const body = await res.json().catch(() => ({})) as { msgId?: string };
    return { status: res.status, ...(body.msgId ? { msgId: body.msgId } : {}) };
  }

  /** publishes until one is acknowledged (the route needs the broker's registration) */
  async function untilPublished(url: string, topic: string, key: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      last = await publish(url, topic, key).then((r) => r.status, (err: Error) => err.message);
      if (last === 201) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`no publish to ${topic} acknowledged within ${timeoutMs} ms; last: ${String(last)}`);
  }

  async function bodiesByKey(url: string, topic: string, key: string): Promise<string[]> {
    const res = await fetch(`${url}/v1/topics/${topic}/messages?key=${encodeURIComponent(key)}`, { signal: AbortSignal.timeout(5_000) });
    if (res.status !== 200) throw new Error(`lookup ${key}: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { messages: Array<{ body: string }> }).messages.map((m) => m.body);
  }

  /** the body of the message with `msgId` (read at its commit-log offset, no index), or the HTTP status */
  async function bodyById(url: string, msgId: string): Promise<string | number> {
    const res = await fetch(`${url}/v1/messages/${msgId}`, { signal: AbortSignal.timeout(5_000) });
    return res.status === 200 ? ((await res.json()) as { body: string }).body : res.status;
  }

  /**
   * The acknowledged publishes that are not found, by key (the index) or by msgId (the
   * commit log), on alternating gateways: `[]` when nothing is lost.
   */
  async function missing(sent: Array<{ key: string; msgId: string }>, gateways: string[]): Promise<string[]> {
    const lost: string[] = [];
    for (const [i, { key, msgId }] of sent.entries()) {
      const url = gateways[i % gateways.length]!;
      const byKey = (await bodiesByKey(url, 'load', key)).includes(key);
      const byId = await bodyById(url, msgId);
      if (!byKey || byId !== key) lost.push(`${key} (${msgId}): by key ${byKey ? 'found' : 'missing'}, by id ${byId === key ? 'found' : byId}`);
    }
    return lost;
  }

  beforeAll(async () => {
    await Resources.removeStale();
    before = await machineState(resources.runId);
    image = (await timings.time('build', () => buildTestImage())).image;
    const published: string[] = [];
    for (const s of Object.values(compose.services)) {
      for (const p of s.ports ?? []) {
        const container = Number(p.split(':')[2]);
        hostPort.set(container, await freePort());
        published.push(`127.0.0.1:${hostPort.get(container)}:${container}`);
      }
    }
    pod = await resources.pod(published, Object.keys(compose.services));
    for (const name of Object.keys(compose.volumes)) volumes.set(name, await resources.volume());
  }, 15 * 60_000);

  afterAll(async () => {
    await resources.cleanup();
    timings.report('cluster');
  }, 60_000);

  test('starts every service in depends_on order, each healthy; a message crosses the gateways', async () => {
    await timings.time('start cluster', async () => {
      for (const name of startOrder(compose.services)) {
        await runService(name);
        await waitHealthy(name);
      }
    });
    const gateways = Object.keys(compose.services).filter((n) => compose.services[n]!.command[0] === 'gateway');
    const [g1, g2] = gateways.map(gatewayUrl) as [string, string];
    await timings.time('first route', () => untilPublished(g1, 'warmup', 'warmup-1'));

    // HTTP on one gateway → MQTT subscriber on the other
    const mqttPort = hostPort.get(Number(compose.services[gateways[1]!]!.environment?.ROCKETGATE_MQTT_PORT ?? 1883))!;
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { protocolVersion: 5, reconnectPeriod: 0 });
    try {
      const box = inbox(sub);
      await sub.subscribeAsync('crossing/#', { qos: 1 });
      await untilPublished(g1, 'crossing', 'via-gateway-1');
      const [m] = await box.next(1, 20_000);
      expect({ topic: m!.topic, body: m!.payload.toString() }).toEqual({ topic: 'crossing', body: 'via-gateway-1' });
      expect(await bodiesByKey(g2, 'crossing', 'via-gateway-1')).toEqual(['via-gateway-1']);
    } finally {
      await sub.endAsync();
    }
  }, TEST_MS);

  // Issue 11's bug, fixed: an acknowledged publish was missing by id from the restarted
  // master in about 3 of 7 runs (an index flush's header named entries it had not written,
  // so recovery skipped indexing them again; test/kernel/store/index-crash.test.ts and
  // test/cluster/multi-process/sync-master-restart.test.ts reproduce it without containers).
  test('kill -9 of the master under load loses no acknowledged publish; the master comes back on its volume', async () => {
    const gateways = Object.keys(compose.services).filter((n) => compose.services[n]!.command[0] === 'gateway').map(gatewayUrl);
    const master = Object.keys(compose.services).find((n) => flag(compose.services[n]!, '--role') === 'SYNC_MASTER')!;
    await untilPublished(gateways[0]!, 'load', 'load-warmup');

    const acked: Array<{ key: string; msgId: string }> = [];
    let failed = 0;
    let stopping = false;
    let seq = 0;
    const worker = async (w: number): Promise<void> => {
      for (let n = 0; !stopping && n < 2_000; n++) {
        const key = `load-${w}-${seq++}`;
        const { status, msgId } = await publish(gateways[w % gateways.length]!, 'load', key).catch(() => ({ status: 0, msgId: undefined }));
        if (status === 201 && msgId) {
          acked.push({ key, msgId });
        } else {
          failed++;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const load = [0, 1, 2, 3].map(worker);
    const ackedBeforeKill = await timings.time('load before kill', async () => {
      const deadline = Date.now() + 30_000;
      while (acked.length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return acked.length;
    });
    expect(ackedBeforeKill).toBeGreaterThanOrEqual(200);
    await podmanOk(['kill', '--signal', 'KILL', containerOf(master)]);
    await new Promise((r) => setTimeout(r, 1_500)); // the load goes on against a dead master
    stopping = true;
    await Promise.all(load);
    process.stderr.write(`[container cluster] ${acked.length} publishes acknowledged, ${failed} refused or cut off around the kill\n`);
    expect(await podmanOk(['inspect', containerOf(master), '--format', '{{.State.ExitCode}}'])).toBe('137');

    // while the master is down, the slave serves every acknowledged message
    expect(await timings.time('verify from slave', () => missing(acked, gateways))).toEqual([]);

    // the master again, on its volume (compose's restart policy does the same)
    await timings.time('master restart', async () => {
      await podmanOk(['rm', '-v', containerOf(master)]);
      await runService(master);
      await waitHealthy(master);
      await untilPublished(gateways[1]!, 'load', 'after-restart');
    });
    expect(await timings.time('verify after restart', () => missing(acked, gateways))).toEqual([]);
    expect(await bodiesByKey(gateways[0]!, 'load', 'after-restart')).toEqual(['after-restart']);
  }, TEST_MS);

  test('removes its pod, containers and volumes, and adds no network or firewall rule', async () => {
    await resources.cleanup();
    expect(await resources.leftovers()).toEqual({ pods: [], containers: [], volumes: [] });
    expect(addedSince(before, await machineState(resources.runId))).toEqual(NOTHING_ADDED);
  }, TEST_MS);
});
