/**
 * kill -9 in `--flush sync` (DESIGN.md §6): the embedded server runs as a real process on
 * free ports while MQTT QoS 1 (PUBACK), STOMP with receipts (RECEIPT) and HTTP (201)
 * publishers send at once; it is SIGKILLed mid-stream and restarted on the same data
 * directory. Every message whose publisher got its acknowledgement must then be delivered
 * (read back over HTTP server-sent events by a new group from the first offset).
 *
 * The history of every send (invoked, then ok / fail / unknown when the kill cut it off)
 * is written to test-artifacts/kill-restart/history.json with the verdict per protocol:
 * acknowledged-but-lost must be 0; duplicates and in-doubt sends that arrived are counted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { makeTempDir } from '../helpers/temp-dir.js';
import { ROOT, startServerProcess, type ServerProcess } from './helpers/server-process.js';
import { readSse } from './helpers/sse.js';
import { StompClient } from './helpers/stomp-client.js';

type Protocol = 'mqtt' | 'stomp' | 'http';
const PROTOCOLS: Protocol[] = ['mqtt', 'stomp', 'http'];
const TOPIC: Record<Protocol, string> = { mqtt: 'kill-mqtt', stomp: 'kill-stomp', http: 'kill-http' };
const WORKERS = 8;
const MIN_ACKED_BEFORE_KILL = 100;

interface Op {
  protocol: Protocol;
  id: string;
  invokedAt: number;
  outcome?: 'ok' | 'fail' | 'unknown';
  completedAt?: number;
  error?: string;
}

class History {
  readonly ops: Op[] = [];
  private seq = 0;

  invoke(protocol: Protocol): Op {
    const op: Op = { protocol, id: `${protocol}-${++this.seq}`, invokedAt: Date.now() };
    this.ops.push(op);
    return op;
  }

  complete(op: Op, outcome: 'ok' | 'fail' | 'unknown', error?: unknown): void {
    if (op.outcome) return;
    op.outcome = outcome;
    op.completedAt = Date.now();
    if (error !== undefined) op.error = error instanceof Error ? error.message : String(error);
  }

  acked(protocol: Protocol): number {
    return this.ops.filter((o) => o.protocol === protocol && o.outcome === 'ok').length;
  }

  /** whatever is still open when the server died is in doubt */
  cutOff(): void {
    for (const op of this.ops) if (!op.outcome) this.complete(op, 'unknown', 'server killed');
  }
}

/** `workers` loops that each send, await the acknowledgement, and send again until stopped */
function runWorkers(workers: number, stopped: () => boolean, send: () => Promise<boolean>): Promise<void> {
  return Promise.all(Array.from({ length: workers }, async () => {
    while (!stopped() && (await send()));
  })).then(() => undefined);
}

function mqttPublisher(server: ServerProcess, history: History, stopped: () => boolean): { done: Promise<void>; close: () => void } {
  const client = mqtt.connect(server.url('mqtt').href, { clientId: 'kill-mqtt-pub', reconnectPeriod: 0, clean: true, protocolVersion: 4 });
  const pending = new Set<() => void>();
  client.on('close', () => { for (const cancel of [...pending]) cancel(); });
  client.on('error', () => undefined);
  const done = new Promise<void>((resolve) => client.once('connect', () => resolve())).then(() => runWorkers(WORKERS, stopped, () => {
    const op = history.invoke('mqtt');
    return new Promise<boolean>((resolve) => {
      const cancel = (): void => {
        history.complete(op, 'unknown', 'connection closed before PUBACK');
        resolve(false);
      };
      pending.add(cancel);
      client.publish(`${TOPIC.mqtt}/m`, op.id, { qos: 1 }, (err) => {
        pending.delete(cancel);
        if (err) history.complete(op, 'unknown', err);
        else history.complete(op, 'ok');
        resolve(!err);
      });
    });
  }));
  return { done, close: () => { client.end(true); } };
}

async function stompPublisher(server: ServerProcess, history: History, stopped: () => boolean): Promise<{ done: Promise<void>; close: () => void }> {
  const url = server.url('stomp');
  const client = await StompClient.connect(url.hostname, Number(url.port));
  const waiting = new Map<string, (outcome: 'ok' | 'fail', error?: string) => void>();
  client.onFrame((f) => {
    if (f.command === 'RECEIPT') waiting.get(f.headers['receipt-id']!)?.('ok');
    if (f.command === 'ERROR') for (const settle of waiting.values()) settle('fail', f.headers.message);
  });
  void client.closed.then(() => { for (const settle of [...waiting.values()]) settle('fail', 'closed'); });
  const done = runWorkers(WORKERS, stopped, () => {
    const op = history.invoke('stomp');
    return new Promise<boolean>((resolve) => {
      waiting.set(op.id, (outcome, error) => {
        waiting.delete(op.id);
        // a close before the RECEIPT leaves the send in doubt; an ERROR frame refused it
        history.complete(op, outcome === 'ok' ? 'ok' : error === 'closed' ? 'unknown' : 'fail', error);
        resolve(outcome === 'ok');
      });
      if (!client.write('SEND', { destination: `/queue/${TOPIC.stomp}`, receipt: op.id, persistent: 'true', 'content-type': 'text/plain' }, op.id) && !client.writable) {
        waiting.get(op.id)?.('fail', 'closed');
      }
    });
  });
  return { done, close: () => client.destroy() };
}

function httpPublisher(server: ServerProcess, history: History, stopped: () => boolean): { done: Promise<void>; close: () => void } {
  const url = new URL(`/v1/topics/${TOPIC.http}/messages`, server.url('http')).href;
  const done = runWorkers(WORKERS, stopped, async () => {
    const op = history.invoke('http');
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: op.id }) });
      await res.arrayBuffer();
      history.complete(op, res.status === 201 ? 'ok' : 'fail', res.status === 201 ? undefined : `status ${res.status}`);
      return res.status === 201;
    } catch (err) {
      history.complete(op, 'unknown', err); // the request may have been stored before the connection died
      return false;
    }
  });
  return { done, close: () => undefined };
}

/** every body delivered on `topic` to a new group reading from the first offset, until `expected` are all in and it goes quiet */
async function readBack(server: ServerProcess, topic: string, expected: Set<string>, timeoutMs: number): Promise<string[]> {
  const bodies: string[] = [];
  const seen = new Set<string>();
  let lastAt = Date.now();
  const url = new URL(`/v1/topics/${topic}/events?group=verify-${topic}&from=first`, server.url('http')).href;
  const reader = readSse(url, (e) => {
    if (e.event !== 'message') return;
    const body = (JSON.parse(e.data) as { body: string }).body;
    bodies.push(body);
    seen.add(body);
    lastAt = Date.now();
  });
  await reader.opened;
  const deadline = Date.now() + timeoutMs;
  const allIn = (): boolean => [...expected].every((id) => seen.has(id));
  while (Date.now() < deadline && !(allIn() && Date.now() - lastAt > 750)) await new Promise((r) => setTimeout(r, 100));
  reader.close();
  await reader.done;
  return bodies;
}

describe('kill -9 of the embedded server in sync flush mode', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const processes: ServerProcess[] = [];
  beforeAll(() => { temp = makeTempDir('rocketgate-kill-'); });
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.kill();
    temp.cleanup();
  });

  test('every message acknowledged over MQTT (PUBACK), STOMP (RECEIPT) and HTTP (201) is delivered after the restart', async () => {
    const args = ['--data-dir', temp.dir, '--host', '127.0.0.1', '--flush', 'sync', '--http-port', '0', '--mqtt-port', '0', '--stomp-port', '0',
      '--mqtt-ws-port', 'off', '--stomp-ws-port', 'off', '--rocketmq-port', '0', '--log-level', 'error'];
    const first = await startServerProcess(args);
    processes.push(first);
    for (const protocol of PROTOCOLS) {
      const res = await fetch(new URL('/v1/topics', first.url('http')), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: TOPIC[protocol], queueCount: 4 }) });
      expect(res.status).toBe(201);
    }

    const history = new History();
    let killed = false;
    const stopped = (): boolean => killed;
    const publishers = [mqttPublisher(first, history, stopped), await stompPublisher(first, history, stopped), httpPublisher(first, history, stopped)];

    // mid-stream: every publisher has had acknowledgements and keeps sending
    const started = Date.now();
    while (Date.now() - started < 15_000 && !(PROTOCOLS.every((p) => history.acked(p) >= MIN_ACKED_BEFORE_KILL) && Date.now() - started > 1_500)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const inFlightAtKill = history.ops.filter((o) => !o.outcome).length;
    killed = true;
    await first.kill();
    const killedAt = Date.now();
    expect((await first.exited).signal).toBe('SIGKILL');
    publishers.forEach((p) => p.close());
    await Promise.race([Promise.all(publishers.map((p) => p.done)), new Promise((r) => setTimeout(r, 3_000))]);
    history.cutOff();

    const second = await startServerProcess(args);
    processes.push(second);
    const verdict: Record<string, unknown> = {};
    const failures: string[] = [];
    for (const protocol of PROTOCOLS) {
      const ops = history.ops.filter((o) => o.protocol === protocol);
      const acked = new Set(ops.filter((o) => o.outcome === 'ok').map((o) => o.id));
      const sent = new Set(ops.map((o) => o.id));
      const bodies = await readBack(second, TOPIC[protocol], acked, 15_000);
      const delivered = new Set(bodies);
      const lost = [...acked].filter((id) => !delivered.has(id));
      const foreign = [...delivered].filter((id) => !sent.has(id));
      verdict[protocol] = {
        sent: sent.size,
        acked: acked.size,
        failed: ops.filter((o) => o.outcome === 'fail').length,
        inDoubt: ops.filter((o) => o.outcome === 'unknown').length,
        inDoubtDelivered: ops.filter((o) => o.outcome === 'unknown' && delivered.has(o.id)).length,
        delivered: delivered.size,
        duplicates: bodies.length - delivered.size,
        ackedButLost: lost.length,
        lostIds: lost.slice(0, 20),
        foreign: foreign.length,
      };
      if (lost.length > 0) failures.push(`${protocol}: ${lost.length} acknowledged messages lost, e.g. ${lost.slice(0, 5).join(', ')}`);
      if (foreign.length > 0) failures.push(`${protocol}: ${foreign.length} delivered messages nobody sent`);
      if (ops.some((o) => o.outcome === 'fail')) failures.push(`${protocol}: refused sends before the kill: ${ops.find((o) => o.outcome === 'fail')!.error}`);
    }
    await second.stop();

    const report = { killedAt, inFlightAtKill, verdict };
    const dir = path.join(ROOT, 'test-artifacts', 'kill-restart');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'history.json'), JSON.stringify({ ...report, history: history.ops }, null, 1));
    console.log(`kill-restart: ${JSON.stringify(report)}`);

    expect(failures).toEqual([]);
    for (const protocol of PROTOCOLS) expect(history.acked(protocol)).toBeGreaterThanOrEqual(MIN_ACKED_BEFORE_KILL);
  }, 60_000);
});
