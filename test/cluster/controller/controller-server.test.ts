/**
 * The controller over remoting: RocketMQ 5's codes, fenced requests refused with its
 * CONTROLLER_* codes, state kept across a restart on the same data directory; and the
 * standalone `rocketgate controller` role as a process.
 */
import { startControllerServer } from '../../../src/cluster/controller/controller-server.js';
import { ControllerClient, ControllerCallError } from '../../../src/cluster/controller/controller-client.js';
import { ControllerResponseCode } from '../../../src/cluster/controller/controller-codes.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { createRequest } from '../../../src/cluster/remoting/command.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { ProcessGroup } from '../helpers/processes.js';
import { FAST } from './controller-cluster.js';

const beat = (brokerId: number, maxOffset = 0) => ({
  clusterName: 'c', brokerName: 'a', brokerId, address: `127.0.0.1:${1000 + brokerId}`, haAddress: `127.0.0.1:${2000 + brokerId}`, epoch: 0, maxOffset,
});

test('heartbeats elect, alterations are fenced, and a restarted controller keeps its epochs', async () => {
  const temp = makeTempDir();
  const remoting = new RemotingClient(new TcpTransport());
  try {
    let server = await startControllerServer({ host: '127.0.0.1', port: 0, dataDir: temp.dir, brokerTimeoutMs: 60_000, scanIntervalMs: 50 });
    let client = new ControllerClient(remoting, [server.address], 2_000);
    expect(await client.heartbeat(beat(1))).toMatchObject({ masterId: 1, masterEpoch: 1, syncStateSet: [1], leaseMs: 40_000 });
    expect(await client.heartbeat(beat(2))).toMatchObject({ masterId: 1, masterAddress: '127.0.0.1:1001' });
    const stale = await client.alterSyncStateSet('a', 2, 1, 1, [1, 2]).catch((err: unknown) => err);
    expect(stale).toBeInstanceOf(ControllerCallError);
    expect((stale as ControllerCallError).code).toBe(ControllerResponseCode.CONTROLLER_FENCED_MASTER_EPOCH);
    expect(await client.alterSyncStateSet('a', 1, 1, 1, [1, 2])).toMatchObject({ syncStateSet: [1, 2], syncStateSetEpoch: 2 });
    // a bad request answers an error code, and the server goes on
    const bad = await remoting.invoke(server.address, createRequest({ code: 1001, header: { brokerName: 'a' } }));
    expect(bad.code).toBe(ControllerResponseCode.CONTROLLER_INVALID_REQUEST);
    await server.close();

    server = await startControllerServer({ host: '127.0.0.1', port: 0, dataDir: temp.dir, brokerTimeoutMs: 60_000, scanIntervalMs: 50 });
    client = new ControllerClient(remoting, [server.address], 2_000);
    expect(await client.replicaInfo('a')).toMatchObject({ masterId: 1, masterEpoch: 1, syncStateSet: [1, 2], syncStateSetEpoch: 2 });
    await server.close();
  } finally {
    await remoting.close();
    temp.cleanup();
  }
});

test('`rocketgate controller` runs standalone and answers RocketMQ\'s controller codes', async () => {
  const temp = makeTempDir();
  const procs = new ProcessGroup();
  const remoting = new RemotingClient(new TcpTransport());
  try {
    const proc = procs.start('controller', ['controller', '--cluster-controller-port', '0', '--data-dir', temp.dir, ...FAST]);
    const address = await proc.address('controller');
    await proc.line(/ready: controller/);
    const client = new ControllerClient(remoting, ['127.0.0.1:1', address], 2_000);
    expect(await client.heartbeat(beat(3))).toMatchObject({ masterId: 3, masterEpoch: 1, leaseMs: 1_000 });
  } finally {
    await remoting.close();
    await procs.killAll();
    temp.cleanup();
  }
});
