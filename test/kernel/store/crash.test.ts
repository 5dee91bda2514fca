/**
 * kill -9 at random moments: a child process appends in sync mode with 16 concurrent
 * appenders and prints every acknowledged message; the test kills it after a random
 * number of acknowledgements, reopens the store and checks that every acknowledged
 * message is there and whole, that nothing half-written is visible, and that appends
 * continue where the queues left off. Several rounds on the same directory.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { MessageStore } from '../../../src/kernel/store/message-store.js';
import { GetStatus } from '../../../src/kernel/store/results.js';
import { CRASH_QUEUES, CRASH_TOPIC, crashBody } from './fixtures/crash-body.js';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const SEGMENT = 64 * 1024;
const ROUNDS = 5;

interface Ack {
  id: number;
  q: number;
  qo: number;
  clo: number;
}

/** Runs the writer until `killAfter` acks have arrived, then SIGKILLs it; returns every ack it printed. */
async function runAndKill(dir: string, firstId: number, killAfter: number): Promise<Ack[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(SEGMENT), String(firstId)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: Ack[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout });
  const done = new Promise<void>((resolve) => lines.on('close', () => resolve()));
  lines.on('line', (line) => {
    const parsed = JSON.parse(line) as Ack | { ready: true };
    if ('ready' in parsed) return;
    acks.push(parsed);
    if (acks.length === killAfter) child.kill('SIGKILL');
  });
  const code = await exited;
  await done; // every line the child wrote before it died
  if (acks.length < killAfter) throw new Error(`writer exited (${code}) after ${acks.length} acks: ${stderr}`);
  return acks;
}

async function verify(store: MessageStore, acked: Map<number, Ack>): Promise<void> {
  expect(store.recoveryReport.crashed).toBe(true);
  expect(store.recoveryReport.corruptOffsets).toEqual([]);
  // every acknowledged message is where its ack said, whole
  for (const ack of acked.values()) {
    const m = await store.getMessageByCommitLogOffset(ack.clo);
    expect(m && { queueId: m.queueId, queueOffset: m.queueOffset, ok: m.body.equals(crashBody(ack.id)) }).toEqual({ queueId: ack.q, queueOffset: ack.qo, ok: true });
  }
  // each queue reads back gap-free, every message whole; unacknowledged ones may exist, but whole
  const seen = new Set<number>();
  for (let q = 0; q < CRASH_QUEUES; q++) {
    let offset = 0;
    const max = store.maxOffset(CRASH_TOPIC, q);
    while (offset < max) {
      const r = await store.get({ topic: CRASH_TOPIC, queueId: q, offset, maxMessages: 64 });
      expect(r.status).toBe(GetStatus.Found);
      expect(r.corruptOffsets).toBeUndefined();
      for (const [k, m] of r.messages.entries()) {
        expect(m.queueOffset).toBe(offset + k);
        const id = Number(m.body.toString().split('|')[0]);
        expect(m.body.equals(crashBody(id))).toBe(true);
        seen.add(id);
      }
      offset = r.nextBeginOffset;
    }
  }
  for (const id of acked.keys()) expect(seen.has(id)).toBe(true);
}

describe('crash recovery (kill -9 of a sync-mode writer)', () => {
  it(`keeps every acknowledged message over ${ROUNDS} kills at random moments`, async () => {
    const temp = makeTempDir('rocketgate-crash-');
    const acked = new Map<number, Ack>();
    try {
      let firstId = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const killAfter = 20 + Math.floor(Math.random() * 600);
        for (const ack of await runAndKill(temp.dir, firstId, killAfter)) acked.set(ack.id, ack);
        firstId = Math.max(...acked.keys()) + 1000;

        const store = await MessageStore.open({ dataDir: temp.dir, segmentSize: SEGMENT });
        try {
          await verify(store, acked);
          // appends continue where each queue left off, and the index survived
          const max = store.maxOffset(CRASH_TOPIC, 1);
          const extra = firstId++;
          const put = await store.put({ topic: CRASH_TOPIC, body: crashBody(extra), keys: [`id-${extra}`] }, { queueId: 1 });
          expect(put.queueOffset).toBe(max);
          acked.set(extra, { id: extra, q: 1, qo: put.queueOffset, clo: put.commitLogOffset });
          const some = [...acked.values()][Math.floor(Math.random() * acked.size)]!;
          expect((await store.queryByKey(CRASH_TOPIC, `id-${some.id}`, 2)).map((m) => m.commitLogOffset)).toEqual([some.clo]);
        } finally {
          await store.close();
        }
      }
      expect(acked.size).toBeGreaterThan(ROUNDS * 20);
    } finally {
      temp.cleanup();
    }
  }, 120_000);
});
