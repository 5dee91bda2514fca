/**
 * Controller mode: a topic created on the master reaches its slave at once, not with the
 * slave's periodic metadata sync (here every 10 minutes). The master's config fingerprint
 * travels with its controller heartbeat; the slave syncs when the one the controller
 * hands it changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequest } from '../../../src/cluster/remoting/command.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { waitFor } from '../../helpers/kernel.js';
import { ProcessGroup } from '../helpers/processes.js';
import { FAST, replicaInfo, startReplica } from './controller-cluster.js';

async function topicQueues(client: RemotingClient, addr: string, topic: string): Promise<number | undefined> {
  const r = await client.invoke(addr, createRequest({ code: RequestCode.GET_ALL_TOPIC_CONFIG })).catch(() => undefined);
  if (r?.code !== ResponseCode.SUCCESS || !r.body) return undefined;
  const table = (JSON.parse(r.body.toString('utf8')) as { topicConfigTable?: Record<string, { readQueueNums?: number }> }).topicConfigTable ?? {};
  return table[topic]?.readQueueNums;
}

test('a topic created on the master is known to the slave long before its periodic sync', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-ctl-'));
  const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 3_000 });
  try {
    const ns = procs.start('ns', ['nameserver', '--controller', '--nameserver-port', '0', '--cluster-controller-port', '0', '--data-dir', path.join(dir, 'ns'), ...FAST]);
    const namesrv = await ns.address('nameserver');
    const controller = await ns.address('controller');
    const slow = ['--cluster-slave-sync-interval-ms', '600000'];
    const b1 = await startReplica(procs, dir, 1, namesrv, controller, slow);
    await b1.proc.line(/role master epoch 1/);
    const b2 = await startReplica(procs, dir, 2, namesrv, controller, slow);
    await b2.proc.line(/role slave epoch 1/);
    await waitFor(async () => (await replicaInfo(client, controller))?.syncStateSet.length === 2, 10_000, 'both replicas in sync');

    for (const [topic, queues] of [['first-topic', 3], ['second-topic', 5]] as const) {
      const created = await client.invoke(b1.address, createRequest({ code: RequestCode.UPDATE_AND_CREATE_TOPIC, header: { topic, readQueueNums: queues, writeQueueNums: queues, perm: 6 } }));
      expect(created.code).toBe(ResponseCode.SUCCESS);
      // the bound is generous for a loaded machine; the periodic sync would take 10 minutes
      await waitFor(async () => (await topicQueues(client, b2.address, topic)) === queues, 30_000, `${topic} known to the slave`);
    }
  } finally {
    await client.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
