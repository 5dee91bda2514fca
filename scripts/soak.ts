/**
 * Soak: the embedded server as a process, all three protocols at once for a while.
 *
 *   npm run soak -- --minutes 10 --rate 200 [--flush async|sync] [--queues 8] [--sample-seconds 10]
 *
 * Publishers: MQTT (QoS 1, PUBACK), STOMP (SEND with receipt), HTTP (POST, 201), each at
 * rate/3 messages per second, to kernel topic `soak` with its protocol as the tag.
 * Consumers on every protocol receive everything: an MQTT subscriber (`soak/#`, QoS 1), a
 * STOMP subscriber (`/topic/soak/<tag>` per tag, client-individual acks), HTTP pop
 * receivers (one group).
 * Every body is `<protocol>:<seq>:<sent epoch ms>`, so each consumer counts, per publishing
 * protocol, what arrived, what is missing, what came twice, and the latency.
 *
 * Progress every --sample-seconds on stderr; at the end one JSON document on stdout: sent,
 * received, missing and duplicated per protocol pair, p50/p99/max latency, the server's heap
 * (sampled every 2 s from /metrics: floor and peak per window) with the floor's trend.
 * Exit 1 when an acknowledged message is missing.
 * Not part of `npm test`.
 */
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { makeTempDir } from '../test/helpers/temp-dir.js';
import { startServerProcess, type ServerProcess } from '../test/product/helpers/server-process.js';
import { StompClient, type Frame } from '../test/product/helpers/stomp-client.js';

type Protocol = 'mqtt' | 'stomp' | 'http';
const PROTOCOLS: Protocol[] = ['mqtt', 'stomp', 'http'];
const TOPIC = 'soak';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    flush: { type: 'string', default: 'async' },
    queues: { type: 'string', default: '8' },
    'sample-seconds': { type: 'string', default: '10' },
    'drain-seconds': { type: 'string', default: '20' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write('npm run soak -- [--minutes 10] [--rate 200 (messages/s, all publishers together)] [--flush async|sync] [--queues 8] [--sample-seconds 10] [--drain-seconds 20]\n');
  process.exit(0);
}
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const sampleMs = Number(args['sample-seconds']) * 1000;
const drainMs = Number(args['drain-seconds']) * 1000;
if (!(minutes > 0) || !(rate > 0) || !(sampleMs > 0) || !['async', 'sync'].includes(args.flush)) {
  process.stderr.write('soak: --minutes, --rate, --sample-seconds must be positive numbers; --flush async or sync\n');
  process.exit(2);
}

const log = (line: string): void => { process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`); };

// ---- bookkeeping ---------------------------------------------------------------------

interface PublisherStats { attempted: number; acked: Set<number>; failed: number; backlogged: number }
const published: Record<Protocol, PublisherStats> = {
  mqtt: { attempted: 0, acked: new Set(), failed: 0, backlogged: 0 },
  stomp: { attempted: 0, acked: new Set(), failed: 0, backlogged: 0 },
  http: { attempted: 0, acked: new Set(), failed: 0, backlogged: 0 },
};

/** per consumer, per publisher: received seqs, duplicates, latencies */
interface PairStats { seen: Set<number>; duplicates: number; latencies: number[] }
const received: Record<Protocol, Record<Protocol, PairStats>> = Object.fromEntries(PROTOCOLS.map((c) => [c,
  Object.fromEntries(PROTOCOLS.map((p) => [p, { seen: new Set<number>(), duplicates: 0, latencies: [] as number[] }])),
])) as Record<Protocol, Record<Protocol, PairStats>>;
const strays: Record<Protocol, number> = { mqtt: 0, stomp: 0, http: 0 };

function record(consumer: Protocol, body: string): void {
  const [from, seq, sentAt] = body.split(':');
  if (!PROTOCOLS.includes(from as Protocol) || seq === undefined || sentAt === undefined) {
    strays[consumer]++;
    return;
  }
  const pair = received[consumer][from as Protocol];
  const n = Number(seq);
  if (pair.seen.has(n)) pair.duplicates++;
  else pair.seen.add(n);
  pair.latencies.push(Date.now() - Number(sentAt));
}

const bodyOf = (protocol: Protocol, seq: number): string => `${protocol}:${seq}:${Date.now()}`;

// ---- consumers -----------------------------------------------------------------------

async function mqttConsumer(server: ServerProcess): Promise<() => Promise<void>> {
  const client = await mqtt.connectAsync(server.url('mqtt').href, { clientId: 'soak-mqtt-sub', clean: true, protocolVersion: 5, reconnectPeriod: 1000 });
  client.on('message', (_topic, payload) => record('mqtt', payload.toString()));
  await client.subscribeAsync(`${TOPIC}/#`, { qos: 1 });
  return () => client.endAsync();
}

async function stompConsumer(server: ServerProcess): Promise<() => Promise<void>> {
  const url = server.url('stomp');
  const client = await StompClient.connect(url.hostname, Number(url.port));
  client.onFrame((f: Frame) => {
    if (f.command !== 'MESSAGE') return;
    record('stomp', f.body.toString('utf8'));
    client.write('ACK', { id: f.headers.ack ?? f.headers['message-id']! });
  });
  // JMS destinations are names, not patterns: one subscription per tag (= publishing protocol)
  for (const tag of PROTOCOLS) {
    const subscribed = client.next((f) => f.command === 'RECEIPT' && f.headers['receipt-id'] === `sub-${tag}`);
    client.write('SUBSCRIBE', { id: `soak-${tag}`, destination: `/topic/${TOPIC}/${tag}`, ack: 'client-individual', receipt: `sub-${tag}` });
    await subscribed;
  }
  return () => client.disconnect();
}

async function httpConsumer(server: ServerProcess, pollers: number): Promise<() => Promise<void>> {
  const base = new URL(`/v1/groups/soak-http/topics/${TOPIC}/`, server.url('http')).href;
  const post = (action: string, body: unknown): Promise<Response> => fetch(base + action, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // the group exists (and starts) from its first receive
  await (await post('receive', { max: 1, waitMs: 0 })).arrayBuffer();
  let stopping = false;
  const loops = Array.from({ length: pollers }, async () => {
    while (!stopping) {
      try {
        const res = await post('receive', { max: 32, waitMs: 1000, invisibleMs: 60_000 });
        const { messages } = (await res.json()) as { messages: Array<{ body: string; receiptHandle: string }> };
        for (const m of messages) record('http', m.body);
        if (messages.length > 0) await (await post('ack', { receiptHandles: messages.map((m) => m.receiptHandle) })).arrayBuffer();
      } catch (err) {
        log(`http consumer: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  });
  return async () => {
    stopping = true;
    await Promise.all(loops);
  };
}

// ---- publishers ----------------------------------------------------------------------

interface Publisher { trySend(seq: number): boolean; outstanding(): number; close(): Promise<void> }
const MAX_OUTSTANDING = 200;

async function mqttPublisher(server: ServerProcess): Promise<Publisher> {
  const client = await mqtt.connectAsync(server.url('mqtt').href, { clientId: 'soak-mqtt-pub', clean: true, protocolVersion: 5, reconnectPeriod: 1000 });
  let outstanding = 0;
  return {
    outstanding: () => outstanding,
    trySend: (seq) => {
      outstanding++;
      client.publish(`${TOPIC}/mqtt`, bodyOf('mqtt', seq), { qos: 1 }, (err) => {
        outstanding--;
        if (err) published.mqtt.failed++;
        else published.mqtt.acked.add(seq);
      });
      return true;
    },
    close: () => client.endAsync(),
  };
}

async function stompPublisher(server: ServerProcess): Promise<Publisher> {
  const url = server.url('stomp');
  const client = await StompClient.connect(url.hostname, Number(url.port));
  const pending = new Set<number>();
  client.onFrame((f) => {
    if (f.command === 'RECEIPT' && f.headers['receipt-id']?.startsWith('s')) {
      const seq = Number(f.headers['receipt-id'].slice(1));
      if (pending.delete(seq)) published.stomp.acked.add(seq);
    } else if (f.command === 'ERROR') {
      log(`stomp publisher ERROR: ${f.headers.message}`);
    }
  });
  return {
    outstanding: () => pending.size,
    trySend: (seq) => {
      pending.add(seq);
      client.write('SEND', { destination: `/topic/${TOPIC}/stomp`, receipt: `s${seq}`, 'content-type': 'text/plain' }, bodyOf('stomp', seq));
      return true;
    },
    close: () => client.disconnect(),
  };
}

function httpPublisher(server: ServerProcess): Publisher {
  const url = new URL(`/v1/topics/${TOPIC}/messages`, server.url('http')).href;
  let outstanding = 0;
  return {
    outstanding: () => outstanding,
    trySend: (seq) => {
      outstanding++;
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tag: 'http', body: bodyOf('http', seq) }) })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status === 201) published.http.acked.add(seq);
          else published.http.failed++;
        })
        .catch(() => { published.http.failed++; })
        .finally(() => { outstanding--; });
      return true;
    },
    close: async () => undefined,
  };
}

// ---- heap ----------------------------------------------------------------------------

interface HeapSample { atMs: number; heapUsedMB: number; rssMB: number; eventLoopLagP99Ms: number }
/** one report window: the heap's floor (after collections) and peak, the last RSS and loop lag */
interface HeapWindow { atSeconds: number; heapMinMB: number; heapMaxMB: number; rssMB: number; eventLoopLagP99Ms: number }
const HEAP_SAMPLE_MS = 2_000;

async function sampleServer(server: ServerProcess): Promise<HeapSample | undefined> {
  try {
    const text = await (await fetch(new URL('/metrics', server.url('http')))).text();
    const metric = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
    return {
      atMs: Date.now(),
      heapUsedMB: mb(metric('rocketgate_nodejs_heap_size_used_bytes')),
      rssMB: mb(metric('rocketgate_process_resident_memory_bytes')),
      eventLoopLagP99Ms: Math.round(metric('rocketgate_nodejs_eventloop_lag_p99_seconds') * 10000) / 10,
    };
  } catch {
    return undefined;
  }
}

function windowOf(samples: HeapSample[], startedAt: number): HeapWindow | undefined {
  const last = samples.at(-1);
  if (!last) return undefined;
  const heaps = samples.map((s) => s.heapUsedMB);
  return { atSeconds: Math.round((last.atMs - startedAt) / 1000), heapMinMB: Math.min(...heaps), heapMaxMB: Math.max(...heaps), rssMB: last.rssMB, eventLoopLagP99Ms: last.eventLoopLagP99Ms };
}

/**
 * Least-squares slope (MB per minute) of the heap's floor per window, the first fifth left
 * out as warm-up: the used heap saw-tooths with collections, its floor grows only with a leak.
 */
function heapTrend(windows: HeapWindow[]): { floorSlopeMBPerMinute: number; firstFloorMB: number; lastFloorMB: number; peakMB: number } {
  const steady = windows.slice(Math.floor(windows.length / 5));
  const xs = steady.map((w) => w.atSeconds / 60);
  const ys = steady.map((w) => w.heapMinMB);
  const mx = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const my = ys.reduce((a, b) => a + b, 0) / Math.max(1, ys.length);
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = den === 0 ? 0 : xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / den;
  return {
    floorSlopeMBPerMinute: Math.round(slope * 100) / 100,
    firstFloorMB: windows[0]?.heapMinMB ?? 0,
    lastFloorMB: windows.at(-1)?.heapMinMB ?? 0,
    peakMB: Math.max(0, ...windows.map((w) => w.heapMaxMB)),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// ---- run -----------------------------------------------------------------------------

async function main(): Promise<void> {
  const temp = makeTempDir('rocketgate-soak-');
  const server = await startServerProcess(['--data-dir', temp.dir, '--host', '127.0.0.1', '--flush', args.flush, '--mqtt-port', '0', '--stomp-port', '0',
    '--http-port', '0', '--mqtt-ws-port', 'off', '--stomp-ws-port', 'off', '--rocketmq-port', '0', '--log-level', 'warn']);
  log(`server pid ${server.pid}, data dir ${temp.dir}, flush ${args.flush}; ${minutes} min at ${rate} msg/s (${(rate / 3).toFixed(1)} per protocol)`);
  try {
    const created = await fetch(new URL('/v1/topics', server.url('http')), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: TOPIC, queueCount: Number(args.queues) }),
    });
    if (created.status !== 201) throw new Error(`cannot create topic ${TOPIC}: ${created.status} ${await created.text()}`);
    const stopConsumers = [await mqttConsumer(server), await stompConsumer(server), await httpConsumer(server, 4)];
    const publishers: Record<Protocol, Publisher> = { mqtt: await mqttPublisher(server), stomp: await stompPublisher(server), http: httpPublisher(server) };

    const startedAt = Date.now();
    const endAt = startedAt + minutes * 60_000;
    const perProtocolPerMs = rate / 3 / 1000;
    const windows: HeapWindow[] = [];
    let window: HeapSample[] = [];
    const sampler = setInterval(() => {
      void sampleServer(server).then((sample) => { if (sample) window.push(sample); });
    }, HEAP_SAMPLE_MS);
    const closeWindow = (): HeapWindow | undefined => {
      const w = windowOf(window, startedAt);
      window = [];
      if (w) windows.push(w);
      return w;
    };
    let nextReport = startedAt + sampleMs;
    while (Date.now() < endAt) {
      const due = Math.floor((Date.now() - startedAt) * perProtocolPerMs);
      for (const protocol of PROTOCOLS) {
        const stats = published[protocol];
        while (stats.attempted < due) {
          if (publishers[protocol].outstanding() >= MAX_OUTSTANDING) {
            stats.backlogged++;
            break;
          }
          publishers[protocol].trySend(++stats.attempted);
        }
      }
      if (Date.now() >= nextReport) {
        nextReport += sampleMs;
        const w = closeWindow();
        const sent = PROTOCOLS.reduce((n, p) => n + published[p].acked.size, 0);
        const got = PROTOCOLS.map((c) => `${c} ${PROTOCOLS.reduce((n, p) => n + received[c][p].seen.size, 0)}`).join(', ');
        log(`${Math.round((Date.now() - startedAt) / 1000)}s: acked ${sent}; received ${got}; heap ${w ? `${w.heapMinMB}-${w.heapMaxMB}` : '?'} MB, rss ${w?.rssMB ?? '?'} MB, loop lag p99 ${w?.eventLoopLagP99Ms ?? '?'} ms`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const sendingSeconds = (Date.now() - startedAt) / 1000;
    log('publishing stopped; draining');
    const drainUntil = Date.now() + drainMs;
    const complete = (): boolean => PROTOCOLS.every((c) => PROTOCOLS.every((p) => [...published[p].acked].every((seq) => received[c][p].seen.has(seq))));
    while (Date.now() < drainUntil && (PROTOCOLS.some((p) => publishers[p].outstanding() > 0) || !complete())) await new Promise((r) => setTimeout(r, 200));
    clearInterval(sampler);
    closeWindow();
    for (const p of PROTOCOLS) await publishers[p].close();
    for (const stop of stopConsumers) await stop();

    const pairs: Record<string, unknown> = {};
    let missingTotal = 0;
    const all: number[] = [];
    for (const p of PROTOCOLS) {
      for (const c of PROTOCOLS) {
        const pair = received[c][p];
        const missing = [...published[p].acked].filter((seq) => !pair.seen.has(seq)).length;
        missingTotal += missing;
        const sorted = [...pair.latencies].sort((a, b) => a - b);
        all.push(...pair.latencies);
        pairs[`${p}->${c}`] = {
          sent: published[p].acked.size, received: pair.seen.size, missing, duplicated: pair.duplicates,
          latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 },
        };
      }
    }
    all.sort((a, b) => a - b);
    const trend = heapTrend(windows);
    const report = {
      config: { minutes, rate, flush: args.flush, queues: Number(args.queues), sendingSeconds: Math.round(sendingSeconds) },
      published: Object.fromEntries(PROTOCOLS.map((p) => [p, {
        attempted: published[p].attempted, acked: published[p].acked.size, failed: published[p].failed, backloggedTicks: published[p].backlogged,
        ratePerSecond: Math.round((published[p].acked.size / sendingSeconds) * 10) / 10,
      }])),
      pairs,
      strays,
      latencyMs: { p50: percentile(all, 50), p99: percentile(all, 99), max: all.at(-1) ?? 0 },
      heap: { windows, trend },
      verdict: { missing: missingTotal, nothingMissing: missingTotal === 0, heapFloorSlopeMBPerMinute: trend.floorSlopeMBPerMinute },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = missingTotal === 0 ? 0 : 1;
  } finally {
    await server.stop();
    temp.cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
