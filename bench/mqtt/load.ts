/**
 * One load scenario, run in a child process so the load generator does not share a
 * core with the broker under test. Publishers send 256-byte payloads carrying their
 * send time; subscribers record the latency of every message.
 */
import type { QoS } from 'mqtt-packet';
import { BareClient } from './bare-client.js';

export interface Scenario {
  port: number;
  run: string;
  publishers: number;
  subscribers: number;
  qos: QoS;
  /** messages per publisher */
  count: number;
  /** total messages per second over all publishers; 0 = as fast as the broker takes them */
  rate: number;
  payloadBytes: number;
  /** QoS 1 PUBLISH packets in flight per publisher */
  window: number;
}

export interface ScenarioResult {
  sent: number;
  expected: number;
  received: number;
  missing: number;
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

const now = (): number => performance.timeOrigin + performance.now();

async function runScenario(s: Scenario): Promise<ScenarioResult> {
  const topic = `bench/${s.run}`;
  const latencies: number[] = [];
  let received = 0;
  let lastReceive = 0;
  const subs: BareClient[] = [];
  for (let i = 0; i < s.subscribers; i++) {
    const c = new BareClient(s.port, `${s.run}-sub-${i}`);
    c.onMessage = (p) => {
      const payload = p.payload as Buffer;
      received++;
      lastReceive = now();
      latencies.push(lastReceive - payload.readDoubleLE(0));
    };
    await c.connect();
    await c.subscribe(topic, s.qos);
    subs.push(c);
  }
  const pubs: BareClient[] = [];
  for (let i = 0; i < s.publishers; i++) {
    const c = new BareClient(s.port, `${s.run}-pub-${i}`);
    await c.connect();
    pubs.push(c);
  }
  const start = now();
  const perPublisherRate = s.rate / s.publishers;
  await Promise.all(pubs.map((c, index) => publishAll(c, index, s, topic, perPublisherRate)));
  const sent = s.count * s.publishers;
  const expected = sent * s.subscribers;
  // wait for the tail: until everything arrived or nothing came for 2 s
  let lastCount = -1;
  let quietSince = now();
  while (received < expected) {
    await new Promise((r) => setTimeout(r, 20));
    if (received !== lastCount) {
      lastCount = received;
      quietSince = now();
    } else if (now() - quietSince > 2_000) break;
  }
  for (const c of [...pubs, ...subs]) c.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => (latencies.length === 0 ? NaN : round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!));
  return { sent, expected, received, missing: expected - received, msgsPerSec: Math.round(received / ((lastReceive - start) / 1000)), p50Ms: pct(0.5), p99Ms: pct(0.99) };
}

async function publishAll(c: BareClient, index: number, s: Scenario, topic: string, rate: number): Promise<void> {
  const payload = (seq: number): Buffer => {
    const b = Buffer.alloc(s.payloadBytes);
    b.writeDoubleLE(now(), 0);
    b.writeUInt32LE(index, 8);
    b.writeUInt32LE(seq, 12);
    return b;
  };
  const inflight = new Set<Promise<void>>();
  const t0 = now();
  for (let seq = 0; seq < s.count; seq++) {
    if (rate > 0) {
      const due = t0 + (seq / rate) * 1000;
      const wait = due - now();
      // paced: yield between sends so this process's subscribers read on time
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      else await new Promise((r) => setImmediate(r));
    }
    if (!c.writable) await c.drained();
    const acked = c.publish(topic, payload(seq), s.qos);
    if (acked) {
      inflight.add(acked);
      void acked.then(() => inflight.delete(acked));
      if (inflight.size >= s.window) await Promise.race(inflight);
    } else if (seq % 256 === 255) {
      await new Promise((r) => setImmediate(r));
    }
  }
  await Promise.all(inflight);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

if (process.send) {
  process.once('message', (s: Scenario) => {
    runScenario(s).then(
      (r) => process.send!({ ok: true, result: r }, () => process.exit(0)),
      (err: unknown) => process.send!({ ok: false, error: String(err) }, () => process.exit(1)),
    );
  });
}
