/**
 * Controller mode, a divergent tail: the slave is SIGKILLed, so the master stores sends it
 * cannot acknowledge (allAckInSyncStateSet waits for the slave, which stays in the in-sync
 * set for maxLagMs); the master is then SIGKILLed too and the slave restarted. The slave,
 * still in the in-sync set, is elected with the shorter log. The old master, restarted, finds by its epoch entries that its
 * tail was written in an epoch the new master never continued, cuts it, and rejoins
 * holding exactly the new master's messages. The tail was never delivered to a consumer:
 * the master serves only up to its high-water mark.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { waitFor } from '../../helpers/kernel.js';
import { ProcessGroup } from '../helpers/processes.js';
import { maxOffset, readAll, replicaInfo, sendDirect, startControlledPair } from './controller-cluster.js';

const TOPIC = 'tail';


test('an old master cuts the tail it stored but never got acknowledged, and rejoins as a slave', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-ctl-'));
  const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 5_000 });
  try {
    // long sync timeout and lag allowance: the unacknowledged sends wait, the dead slave stays in sync, while the test acts
    const { controller, b1, b2 } = await startControlledPair(procs, dir, client, ['--cluster-sync-timeout-ms', '10000', '--cluster-ha-housekeeping-ms', '8000']);
    const acked: string[] = [];
    for (let i = 0; acked.length < 10; i++) if ((await sendDirect(client, b1.address, TOPIC, `acked-${i}`)).code === ResponseCode.SUCCESS) acked.push(`acked-${i}`);
    const before = await maxOffset(client, b1.address, TOPIC);

    b2.proc.signal('SIGKILL');
    await b2.proc.exited;
    const pending = Array.from({ length: 5 }, (_, i) => sendDirect(client, b1.address, TOPIC, `unacked-${i}`));
    await waitFor(async () => (await maxOffset(client, b1.address, TOPIC)) >= before + 5, 5_000, 'the unacknowledged sends stored on the master');
    // the high-water mark: a consumer of the master sees the acknowledged messages only, never the tail cut below
    const seen = await readAll(client, b1.address, TOPIC, 1);
    expect(seen.filter((p) => p.id.startsWith('unacked-'))).toEqual([]);
    for (const id of acked) expect(seen.some((p) => p.id === id)).toBe(true);
    b1.proc.signal('SIGKILL');
    await b1.proc.exited;
    expect((await Promise.all(pending)).map((a) => a.code)).not.toContain(ResponseCode.SUCCESS);
    const b2again = procs.start('broker 2 again', b2.args);
    await b2again.line(/role master epoch 2/, 15_000);

    const again = procs.start('broker 1 again', b1.args);
    const line = (await again.line(/role slave epoch 2 (.*)$/, 20_000))[1]!;
    const detail = JSON.parse(line) as { truncatedTo?: number; cutBytes?: number };
    console.log(`divergent tail: ${line}`);
    expect(detail.cutBytes).toBeGreaterThan(0);
    await waitFor(async () => (await replicaInfo(client, controller))?.syncStateSet.length === 2, 15_000, 'the old master back in sync');
    await waitFor(async () => (await sendDirect(client, b2.address, TOPIC, 'after')).code === ResponseCode.SUCCESS, 10_000, 'a write on the new master');
    await waitFor(async () => (await readAll(client, b1.address, TOPIC, 1)).some((p) => p.id === 'after'), 10_000, 'the old master replicating');
    const onOld = await readAll(client, b1.address, TOPIC, 1);
    const onNew = await readAll(client, b2.address, TOPIC, 1);
    expect(onOld).toEqual(onNew);
    expect(onOld.some((p) => p.id.startsWith('unacked-'))).toBe(false);
    for (const id of acked) expect(onOld.some((p) => p.id === id)).toBe(true);
  } finally {
    await client.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000); // ~20-40 s alone; the margin is for a loaded machine (several processes start under tsx)
