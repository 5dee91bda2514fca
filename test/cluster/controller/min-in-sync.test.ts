/**
 * Controller mode, minInSyncReplicas 2: with its only slave SIGKILLed the master drops it
 * from the in-sync set (through the controller) and from then on acknowledges no write;
 * the slave's return brings it back in sync and writes are acknowledged again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { waitFor } from '../../helpers/kernel.js';
import { ProcessGroup } from '../helpers/processes.js';
import { FAST, replicaInfo, sendDirect, startReplica } from './controller-cluster.js';

test('minInSyncReplicas: below it the master acknowledges nothing, back at it writes are acknowledged', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-ctl-'));
  const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 3_000 });
  try {
    const ns = procs.start('ns', ['nameserver', '--controller', '--nameserver-port', '0', '--cluster-controller-port', '0', '--data-dir', path.join(dir, 'ns'), ...FAST]);
    const namesrv = await ns.address('nameserver');
    const controller = await ns.address('controller');
    const extra = ['--cluster-min-in-sync-replicas', '2', '--no-cluster-all-ack-in-sync-state-set'];
    const b1 = await startReplica(procs, dir, 1, namesrv, controller, extra);
    await b1.proc.line(/role master epoch 1/);
    // alone in sync: refused
    expect((await sendDirect(client, b1.address, 'min', 'alone')).code).toBe(ResponseCode.SLAVE_NOT_AVAILABLE);
    const b2 = await startReplica(procs, dir, 2, namesrv, controller, extra);
    await waitFor(async () => (await replicaInfo(client, controller))?.syncStateSet.length === 2, 10_000, 'both replicas in sync');
    await waitFor(async () => (await sendDirect(client, b1.address, 'min', 'two')).code === ResponseCode.SUCCESS, 10_000, 'a write acknowledged with two in sync');

    b2.proc.signal('SIGKILL');
    await waitFor(async () => (await replicaInfo(client, controller))?.syncStateSet.length === 1, 15_000, 'the slave dropped from the in-sync set');
    const refused = await sendDirect(client, b1.address, 'min', 'one again');
    expect([ResponseCode.SLAVE_NOT_AVAILABLE, ResponseCode.FLUSH_SLAVE_TIMEOUT]).toContain(refused.code);
    expect((await replicaInfo(client, controller))?.masterId).toBe(1);

    procs.start('broker 2 again', b2.args);
    await waitFor(async () => (await replicaInfo(client, controller))?.syncStateSet.length === 2, 15_000, 'the slave back in sync');
    await waitFor(async () => (await sendDirect(client, b1.address, 'min', 'two again')).code === ResponseCode.SUCCESS, 10_000, 'writes acknowledged again');
  } finally {
    await client.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000); // ~20-40 s alone; the margin is for a loaded machine (several processes start under tsx)
