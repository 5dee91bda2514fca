/**
 * SEND → SUBSCRIBE throughput and latency through the STOMP adapter and an embedded
 * kernel (fresh temp dir, async flush), over real TCP sockets on localhost. One JSON
 * line per case:
 *   - no-receipts:        SENDs pipelined, subscriber in ack:auto
 *   - receipt-every-send: each SEND asks for a RECEIPT, at most `--window` outstanding
 *   - client-individual:  subscriber ACKs every MESSAGE (prefetch `--prefetch`)
 * Latency is SEND written → MESSAGE decoded (clients and server share this process).
 * RabbitMQ is compared when `rabbitmq-server` is installed: the same cases against its
 * STOMP plugin (started beforehand, guest/guest on --rabbit-port, default 61613), and
 * every line carries `ratio` (our msgs/s ÷ RabbitMQ's, measured in the same run);
 * without RabbitMQ the lines say `peer: "unavailable"` and `ratio: null`.
 *
 *   npx tsx bench/stomp/throughput.ts [--messages 20000] [--body 1024] [--window 64] [--prefetch 1000] [--rabbit-port 61613]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Registry } from 'prom-client';
import { openAuthenticator } from '../../src/adapters/common/auth.js';
import { StompDecoder } from '../../src/adapters/stomp/decoder.js';
import { encodeFrame } from '../../src/adapters/stomp/encoder.js';
import { makeFrame, type StompFrame } from '../../src/adapters/stomp/frame.js';
import { createStompAdapter, defaultStompConfig } from '../../src/adapters/stomp/index.js';
import { openEmbeddedKernel } from '../../src/kernel/embedded.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const MESSAGES = arg('messages', 20_000);
const BODY = arg('body', 1024);
const WINDOW = arg('window', 64);
const PREFETCH = arg('prefetch', 1000);
const RABBIT_PORT = arg('rabbit-port', 61613);
/** RabbitMQ's guest user (the vhost `/` is the CONNECT host header) */
const RABBIT_LOGIN = { login: 'guest', passcode: 'guest' };

/** a minimal client: our codec over node:net, frames delivered to `onFrame` */
class BenchClient {
  private readonly decoder: StompDecoder;
  onFrame: (frame: StompFrame) => void = () => undefined;

  private constructor(private readonly socket: Socket) {
    this.decoder = new StompDecoder({ maxFrameBytes: 1 << 26, maxHeaders: 1000, maxHeaderBytes: 1 << 16 }, (f) => this.onFrame(f));
    socket.on('data', (chunk) => this.decoder.write(chunk));
  }

  static async open(port: number, login: Record<string, string> = {}): Promise<BenchClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    const client = new BenchClient(socket);
    await client.call(makeFrame('CONNECT', { 'accept-version': '1.2', host: '/', ...login }), 'CONNECTED');
    return client;
  }

  private corked = false;

  /** writes (frames of one tick leave together); resolves when the socket can take more */
  async write(frame: StompFrame): Promise<void> {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    if (!this.socket.write(encodeFrame(frame))) await new Promise((r) => this.socket.once('drain', r));
  }

  /** writes `frame` and waits for the first frame of `command` */
  call(frame: StompFrame, command: string): Promise<StompFrame> {
    return new Promise((resolve, reject) => {
      const previous = this.onFrame;
      this.onFrame = (f) => {
        if (f.command === 'ERROR') reject(new Error(f.headers.get('message')));
        if (f.command !== command) return previous(f);
        this.onFrame = previous;
        resolve(f);
      };
      void this.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

interface CaseResult {
  case: string;
  messages: number;
  seconds: number;
  /** until the last SEND was written (or, with receipts, receipted) */
  sendSeconds: number;
  msgsPerSec: number;
  mbPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

type CaseOptions = { receipts: boolean; ack: 'auto' | 'client-individual' };

/** run first on each broker and not reported: JIT and connection warm-up */
const WARM_UP_MESSAGES = 2_000;
const WARM_UP_CASE: CaseOptions = { receipts: false, ack: 'auto' };

const CASES: Array<[string, string, CaseOptions, Record<string, unknown>]> = [
  ['no-receipts', '/queue/bench-plain', { receipts: false, ack: 'auto' }, {}],
  ['receipt-every-send', '/queue/bench-receipts', { receipts: true, ack: 'auto' }, { window: WINDOW }],
  ['client-individual', '/queue/bench-acks', { receipts: false, ack: 'client-individual' }, { prefetch: PREFETCH }],
];

async function runCase(port: number, name: string, destination: string, opts: CaseOptions, login: Record<string, string> = {}, messages = MESSAGES): Promise<CaseResult> {
  const consumer = await BenchClient.open(port, login);
  const producer = await BenchClient.open(port, login);
  const latencies = new Float64Array(messages);
  let received = 0;
  let done!: () => void;
  const allReceived = new Promise<void>((resolve) => (done = resolve));
  consumer.onFrame = (f) => {
    if (f.command !== 'MESSAGE') return;
    latencies[received] = performance.now() - Number(f.headers.get('t'));
    received++;
    if (opts.ack === 'client-individual') void consumer.write(makeFrame('ACK', { id: f.headers.get('ack') }));
    if (received === messages) done();
  };
  await consumer.call(makeFrame('SUBSCRIBE', {
    id: 'bench', destination, ack: opts.ack, 'prefetch-count': PREFETCH, receipt: 'sub',
  }), 'RECEIPT');
  const body = Buffer.alloc(BODY, 0x61);
  let outstanding = 0;
  let wake: (() => void) | undefined;
  producer.onFrame = (f) => {
    if (f.command === 'RECEIPT') {
      outstanding--;
      wake?.();
    }
  };
  const start = performance.now();
  for (let i = 0; i < messages; i++) {
    if (opts.receipts) {
      while (outstanding >= WINDOW) await new Promise<void>((r) => (wake = r));
      outstanding++;
    }
    await producer.write(makeFrame('SEND', {
      destination, t: performance.now().toFixed(3), receipt: opts.receipts ? String(i) : undefined,
    }, body));
  }
  if (opts.receipts) while (outstanding > 0) await new Promise<void>((r) => (wake = r));
  const sendSeconds = (performance.now() - start) / 1000;
  await allReceived;
  const seconds = (performance.now() - start) / 1000;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  producer.close();
  consumer.close();
  return {
    case: name,
    messages,
    seconds: round(seconds),
    sendSeconds: round(sendSeconds),
    msgsPerSec: Math.round(messages / seconds),
    mbPerSec: round((messages * BODY) / seconds / 1e6),
    latencyMs: { p50: round(percentile(sorted, 0.5)), p90: round(percentile(sorted, 0.9)), p99: round(percentile(sorted, 0.99)), max: round(sorted[sorted.length - 1] ?? 0) },
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stomp-bench-'));
  const kernel = await openEmbeddedKernel({ dataDir, defaultQueueCount: 8 });
  const adapter = createStompAdapter({
    kernel: kernel.client, logger: pino({ level: 'silent' }), metrics: new Registry(), auth: openAuthenticator,
  }, { ...defaultStompConfig, host: '127.0.0.1', port: 0, wsPort: null, heartBeatMs: [0, 0] });
  await adapter.start();
  const port = adapter.addresses()[0]!.port;
  const ours = new Map<string, CaseResult>();
  try {
    await runCase(port, 'warm-up', '/queue/bench-warm-up', WARM_UP_CASE, {}, WARM_UP_MESSAGES);
    for (const [name, destination, opts] of CASES) ours.set(name, await runCase(port, name, destination, opts));
  } finally {
    await adapter.stop();
    await kernel.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // the peer runs after ours, in the same process and run: each figure gets its ratio
  const peer = await runRabbitmq();
  for (const [name, , , extra] of CASES) {
    const result = ours.get(name)!;
    const theirs = peer.results.get(name);
    console.log(JSON.stringify({
      bench: 'stomp-throughput', broker: 'rocketgate', bodyBytes: BODY, flushMode: 'async', transport: 'tcp', ...extra, ...result,
      peer: theirs ? 'rabbitmq' : 'unavailable',
      ...(theirs ? {} : { peerStatus: peer.status }),
      /** rocketgate msgs/s ÷ RabbitMQ msgs/s (targets: ≥ 2 without receipts, ≥ 3 with a receipt on every SEND) */
      ratio: theirs ? round(result.msgsPerSec / theirs.msgsPerSec) : null,
      /** RabbitMQ p50 latency ÷ ours: above 1, ours is lower */
      latencyP50Ratio: theirs && result.latencyMs.p50 > 0 ? round(theirs.latencyMs.p50 / result.latencyMs.p50) : null,
      ...(theirs ? { peerMsgsPerSec: theirs.msgsPerSec, peerLatencyMs: theirs.latencyMs } : {}),
    }));
  }
}

const round = (x: number): number => Number(x.toFixed(3));

/**
 * The same cases against RabbitMQ's STOMP plugin (Debian rabbitmq-server with
 * `rabbitmq-plugins enable rabbitmq_stomp`, running, guest/guest on --rabbit-port).
 */
async function runRabbitmq(): Promise<{ status: string; results: Map<string, CaseResult> }> {
  const results = new Map<string, CaseResult>();
  try {
    execFileSync('which', ['rabbitmq-server'], { stdio: 'pipe' });
  } catch {
    return { status: 'rabbitmq-server not installed', results };
  }
  for (const [name, destination, opts] of [['warm-up', '/queue/bench-warm-up', WARM_UP_CASE] as const, ...CASES]) {
    try {
      if (name === 'warm-up') {
        await runCase(RABBIT_PORT, name, destination, opts, RABBIT_LOGIN, WARM_UP_MESSAGES);
        continue;
      }
      results.set(name, await runCase(RABBIT_PORT, name, destination, opts, RABBIT_LOGIN));
    } catch (err) {
      return { status: `rabbitmq-server installed, but no STOMP listener answering on ${RABBIT_PORT}: ${String(err)}`, results: new Map() };
    }
  }
  return { status: 'ran', results };
}

await main();
