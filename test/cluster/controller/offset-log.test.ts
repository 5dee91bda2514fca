/**
 * The offset log (offset-log.ts) between two real kernel brokers: the master's writer
 * appends commits to its commit log, the log bytes are copied to a read-only replica as
 * HA replication does (readCommitLog → appendRaw), and the replica's follower applies them:
 * forward only, flagged entries (the master going back) as they are, and a follower
 * started from a position applies nothing before it. The writer's sweep logs offsets that
 * moved without passing through it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Broker } from '../../../src/kernel/broker/broker.js';
import { OffsetLogFollower, OffsetLogWriter } from '../../../src/cluster/replication/offset-log.js';
import { waitFor } from '../../helpers/kernel.js';

const G = 'g';
const T = 't';

describe('offset log', () => {
  let dir: string;
  let master: Broker;
  let replica: Broker;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-offset-log-'));
    master = await Broker.open({ dataDir: path.join(dir, 'm'), flushIntervalMs: 20 });
    replica = await Broker.open({ dataDir: path.join(dir, 'r'), flushIntervalMs: 20, readOnly: true });
  });

  afterEach(async () => {
    await master.close();
    await replica.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** copies what the master's log holds past the replica's end */
  async function replicate(): Promise<void> {
    await waitFor(async () => {
      const end = replica.store.commitLogMaxOffset;
      if (end >= master.store.commitLogMaxOffset) return true;
      const bytes = await master.store.readCommitLog(end, 1 << 20);
      if (bytes.length > 0) await replica.store.appendRaw(end, bytes);
      return false;
    }, 5_000, 'the replica caught up');
  }

  function commit(writer: OffsetLogWriter, queueId: number, offset: number): void {
    master.commitOffset({ group: G, topic: T, queueId, offset });
    writer.committed({ group: G, topic: T, queueId, offset });
  }

  test('commits reach the replica in log order, batched per tick, forward only unless flagged', async () => {
    // offsets the table held before the writer are not logged again
    master.commitOffset({ group: G, topic: 'old', queueId: 0, offset: 1 });
    const writer = new OffsetLogWriter(master, { sweepMs: 60_000 });
    const follower = new OffsetLogFollower(replica);
    follower.start();
    commit(writer, 0, 5);
    commit(writer, 0, 9);
    commit(writer, 1, 4);
    await waitFor(() => master.store.commitLogMaxOffset > 0, 5_000, 'the record written');
    await replicate();
    await waitFor(() => replica.offsets.query(G, T, 0) === 9 && replica.offsets.query(G, T, 1) === 4, 5_000, 'offsets applied');
    // one record for the three commits of that tick
    expect(follower.position).toBe(1);

    // a replica ahead (a commit it took itself) keeps its offset against a plain commit
    replica.offsets.commit(G, T, 1, 8);
    commit(writer, 1, 6);
    // the master going back (an admin reset, a consumer rewinding) is followed as is
    commit(writer, 0, 2);
    await waitFor(() => master.store.maxOffset('rmq_sys_OFFSET_LOG', 0) === 2, 5_000, 'the second record written');
    await replicate();
    await waitFor(() => replica.offsets.query(G, T, 0) === 2, 5_000, 'the going back applied');
    expect(replica.offsets.query(G, T, 1)).toBe(8);
    // offsets moved by other ways (a pull's commit flag, pop, an admin reset) go with the next sweep
    master.commitOffset({ group: G, topic: T, queueId: 1, offset: 12 });
    master.commitOffset({ group: G, topic: T, queueId: 2, offset: 1 });
    writer.sweep();
    await waitFor(() => master.store.maxOffset('rmq_sys_OFFSET_LOG', 0) === 3, 5_000, 'the swept record written');
    await replicate();
    await waitFor(() => replica.offsets.query(G, T, 1) === 12 && replica.offsets.query(G, T, 2) === 1, 5_000, 'the swept offsets applied');
    writer.sweep(); // nothing changed: nothing logged
    await follower.close();
    await writer.close();
    expect(master.store.maxOffset('rmq_sys_OFFSET_LOG', 0)).toBe(3);
    expect(replica.offsets.query(G, 'old', 0)).toBeUndefined();

    // a follower from a position skips what was applied before it
    replica.offsets.commit(G, T, 0, 3);
    const later = new OffsetLogFollower(replica, { from: follower.position });
    await later.drain();
    expect(later.applied).toBe(0);
    expect(replica.offsets.query(G, T, 0)).toBe(3);
    // one from the start replays the whole log in order: the master's table
    const replay = new OffsetLogFollower(replica);
    await replay.drain();
    expect(replica.offsets.query(G, T, 0)).toBe(2);
    expect(replay.position).toBe(3);
  });
});
