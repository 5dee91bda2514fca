/**
 * Controller mode without its controller: a standalone `rocketgate controller` is
 * SIGKILLed; the master cannot renew its lease and refuses writes (it might have been
 * replaced, for all it knows). The controller restarted on its data directory still
 * knows the group (same master, same epoch) and the master takes writes again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { waitFor } from '../../helpers/kernel.js';
import { freePort } from '../helpers/broker-fixture.js';
import { ProcessGroup } from '../helpers/processes.js';
import { FAST, replicaInfo, sendDirect, startReplica } from './controller-cluster.js';

test('a master without its controller stops acknowledging at the end of its lease; the restarted controller keeps the epoch', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-ctl-'));
  const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 3_000 });
  try {
    const ns = procs.start('ns', ['nameserver', '--nameserver-port', '0', ...FAST]);
    const namesrv = await ns.address('nameserver');
    const controllerArgs = ['controller', '--cluster-controller-port', String(await freePort()), '--data-dir', path.join(dir, 'controller'), ...FAST];
    let ctl = procs.start('controller', controllerArgs);
    const controller = await ctl.address('controller');
    const b1 = await startReplica(procs, dir, 1, namesrv, controller);
    await b1.proc.line(/role master epoch 1/);
    await waitFor(async () => (await sendDirect(client, b1.address, 'lease', 'first')).code === ResponseCode.SUCCESS, 10_000, 'a first write');

    ctl.signal('SIGKILL');
    await ctl.exited;
    let refusal = '';
    await waitFor(async () => {
      const r = await sendDirect(client, b1.address, 'lease', 'no controller');
      refusal = r.remark;
      return r.code !== ResponseCode.SUCCESS;
    }, 10_000, 'writes refused without a lease');
    expect(refusal).toMatch(/no master lease/);

    ctl = procs.start('controller again', controllerArgs);
    expect(await ctl.address('controller')).toBe(controller);
    await waitFor(async () => (await sendDirect(client, b1.address, 'lease', 'controller back')).code === ResponseCode.SUCCESS, 10_000, 'writes acknowledged again');
    expect(await replicaInfo(client, controller)).toMatchObject({ masterId: 1, masterEpoch: 1, syncStateSet: [1] });
  } finally {
    await client.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000); // ~20-40 s alone; the margin is for a loaded machine (several processes start under tsx)
