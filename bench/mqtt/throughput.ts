/**
 * MQTT throughput and latency: the gateway (through the kernel) against aedes alone
 * (in memory, this Node process) and Debian's mosquitto when installed, in one run.
 *
 *   npx tsx bench/mqtt/throughput.ts [--count N] [--repeat R] [--only gateway,aedes,mosquitto] [--scenarios 'qos1 1->1,qos0 1->1']
 *
 * Scenarios: QoS 0 and 1, 256-byte payloads, 1→1, 1→10 fan-out, 10→1 fan-in, as fast
 * as each broker takes them (msgs/s counts deliveries to subscribers), plus a paced
 * run at 5,000 msgs/s for latency. The load generator (bench/mqtt/load.ts) is a bare
 * mqtt-packet client in a child process. Prints one JSON document; every gateway and
 * mosquitto result has `ratio` = its msgs/s over aedes' for the same scenario. Each
 * scenario runs R times per broker, interleaved; `runs` lists them (msgs/s, or p99 ms when
 * paced), the median is reported, `missing` is the worst run's. For the brokers in this
 * process (gateway, aedes) `cpuUsPerMsg` is the process CPU time per delivered message
 * (median run): less disturbed by other load on a shared machine than msgs/s.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { openAuthenticator } from '../../src/adapters/common/auth.js';
import { createMqttAdapter, defaultMqttConfig } from '../../src/adapters/mqtt/index.js';
import { openEmbeddedKernel } from '../../src/kernel/embedded.js';
import type { Scenario, ScenarioResult } from './load.js';

interface Broker {
  name: string;
  port: number;
  stop(): Promise<void>;
}

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const COUNT = Number(arg('count') ?? 20_000);
const ONLY = (arg('only') ?? 'gateway,aedes,mosquitto').split(',');
const REPEAT = Number(arg('repeat') ?? 3);
/** comma-separated scenario names to run (default: all) */
const SCENARIO_FILTER = arg('scenarios')?.split(',');

const SCENARIOS: Array<{ name: string; publishers: number; subscribers: number; qos: 0 | 1; rate: number }> = [];
for (const qos of [0, 1] as const) {
  SCENARIOS.push({ name: `qos${qos} 1->1`, publishers: 1, subscribers: 1, qos, rate: 0 });
  SCENARIOS.push({ name: `qos${qos} 1->10 fan-out`, publishers: 1, subscribers: 10, qos, rate: 0 });
  SCENARIOS.push({ name: `qos${qos} 10->1 fan-in`, publishers: 10, subscribers: 1, qos, rate: 0 });
  SCENARIOS.push({ name: `qos${qos} 1->1 paced 5000/s`, publishers: 1, subscribers: 1, qos, rate: 5_000 });
}

async function startGateway(): Promise<Broker> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-mqtt-'));
  const kernel = await openEmbeddedKernel({ dataDir: dir });
  const adapter = createMqttAdapter(
    { kernel: kernel.client, logger: pino({ level: 'warn' }), metrics: new Registry(), auth: openAuthenticator },
    { ...defaultMqttConfig, host: '127.0.0.1', port: 0, wsPort: null, nodeId: 'bench', maxInflight: 1000, sessionMaxMessages: 1_000_000 },
  );
  await adapter.start();
  return {
    name: 'gateway',
    port: adapter.addresses()[0]!.port,
    async stop() {
      await adapter.stop();
      await kernel.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startAedes(): Promise<Broker> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    name: 'aedes',
    port: (server.address() as AddressInfo).port,
    async stop() {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function which(cmd: string): string | undefined {
  try {
    return execFileSync('which', [cmd], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startMosquitto(bin: string): Promise<Broker> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-mosquitto-'));
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 1000000\nmax_inflight_messages 1000\nlog_type error\n`);
  const child: ChildProcess = spawn(bin, ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    name: 'mosquitto',
    port,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Measured = ScenarioResult & { cpuUsPerMsg?: number };

/** the scenario in a child process; for a broker in this process, with this process' CPU time per delivered message */
async function measure(s: Scenario, inProcess: boolean): Promise<Measured> {
  const cpu = process.cpuUsage();
  const r: Measured = await runInWorker(s);
  if (inProcess && r.received > 0) {
    const used = process.cpuUsage(cpu);
    r.cpuUsPerMsg = Math.round(((used.user + used.system) / r.received) * 10) / 10;
  }
  return r;
}

function runInWorker(s: Scenario): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m: { ok: boolean; result?: ScenarioResult; error?: string }) => {
      if (m.ok) resolve(m.result!);
      else reject(new Error(m.error));
    });
    child.once('error', reject);
    child.send(s);
  });
}

async function main(): Promise<void> {
  const results: Record<string, Record<string, Measured & { ratio?: number; runs?: number[]; cpuRuns?: number[] }>> = {};
  const brokers: Broker[] = [];
  if (ONLY.includes('aedes')) brokers.push(await startAedes());
  if (ONLY.includes('gateway')) brokers.push(await startGateway());
  const mosquitto = which('mosquitto');
  if (ONLY.includes('mosquitto') && mosquitto) brokers.push(await startMosquitto(mosquitto));
  let run = 0;
  try {
    // scenario by scenario, the brokers back to back and REPEAT times each: a shared machine's
    // load then falls on every broker alike; the median run is reported
    for (const sc of SCENARIOS) {
      if (SCENARIO_FILTER && !SCENARIO_FILTER.includes(sc.name)) continue;
      const runs = new Map<string, Measured[]>();
      for (let rep = 0; rep < REPEAT; rep++) {
        for (const broker of brokers) {
          const count = sc.rate > 0 ? 15_000 : Math.ceil(COUNT / sc.publishers);
          const r = await measure({ port: broker.port, run: `${broker.name}-${run++}`, publishers: sc.publishers, subscribers: sc.subscribers, qos: sc.qos, count, rate: sc.rate, payloadBytes: 256, window: 256 }, broker.name !== 'mosquitto');
          runs.set(broker.name, [...(runs.get(broker.name) ?? []), r]);
          process.stderr.write(`${broker.name} ${sc.name}: ${JSON.stringify(r)}\n`);
        }
      }
      for (const [name, rs] of runs) {
        const sorted = [...rs].sort((a, b) => (sc.rate > 0 ? a.p99Ms - b.p99Ms : a.msgsPerSec - b.msgsPerSec));
        const median = sorted[Math.floor(sorted.length / 2)]!;
        const cpu = rs.map((r) => r.cpuUsPerMsg).filter((c): c is number => c !== undefined);
        const cpuMedian = cpu.length > 0 ? [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)] : undefined;
        (results[name] ??= {})[sc.name] = { ...median, cpuUsPerMsg: cpuMedian, missing: Math.max(...rs.map((r) => r.missing)), runs: rs.map((r) => (sc.rate > 0 ? r.p99Ms : r.msgsPerSec)), ...(cpu.length > 0 ? { cpuRuns: cpu } : {}) };
      }
    }
  } finally {
    for (const b of brokers) await b.stop();
  }
  const baseline = results.aedes;
  for (const [name, byScenario] of Object.entries(results)) {
    if (name === 'aedes' || !baseline) continue;
    for (const [sc, r] of Object.entries(byScenario)) {
      const base = baseline[sc];
      if (base && base.msgsPerSec > 0) r.ratio = Math.round((r.msgsPerSec / base.msgsPerSec) * 100) / 100;
    }
  }
  const gw = results.gateway;
  const targets = gw && baseline ? {
    'qos1 >= 0.85 of aedes': ['qos1 1->1', 'qos1 1->10 fan-out', 'qos1 10->1 fan-in'].every((s) => (gw[s]?.ratio ?? 0) >= 0.85),
    'qos0 >= 0.9 of aedes': ['qos0 1->1', 'qos0 1->10 fan-out', 'qos0 10->1 fan-in'].every((s) => (gw[s]?.ratio ?? 0) >= 0.9),
    'fan-in zero missing': (gw['qos0 10->1 fan-in']?.missing ?? 1) === 0 && (gw['qos1 10->1 fan-in']?.missing ?? 1) === 0,
    'p99 < 10 ms at 5000/s': (gw['qos0 1->1 paced 5000/s']?.p99Ms ?? 99) < 10 && (gw['qos1 1->1 paced 5000/s']?.p99Ms ?? 99) < 10,
  } : undefined;
  process.stdout.write(`${JSON.stringify({ node: process.version, messagesPerRun: COUNT, repeat: REPEAT, payloadBytes: 256, mosquitto: mosquitto ?? null, results, targets }, null, 2)}\n`);
}

await main();
