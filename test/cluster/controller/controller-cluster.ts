/**
 * A controller-mode broker group as processes, for the failover tests: one nameserver
 * with the controller inside, replicas `broker-a/1..n` (allAckInSyncStateSet), and
 * helpers to read the controller's view and a broker's stored records.
 */
import path from 'node:path';
import { createRequest } from '../../../src/cluster/remoting/command.js';
import type { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { ControllerRequestCode } from '../../../src/cluster/controller/controller-codes.js';
import type { ReplicaInfo } from '../../../src/cluster/controller/replica-state.js';
import { decodeRecords, freePort } from '../helpers/broker-fixture.js';
import type { Placed } from '../helpers/history.js';
import type { ProcessGroup, RocketgateProcess } from '../helpers/processes.js';

export const FAST = ['--cluster-timers', 'fast', '--host', '127.0.0.1', '--cluster-store-host', '127.0.0.1'];

export interface Replica {
  id: number;
  args: string[];
  address: string;
  proc: RocketgateProcess;
}

export async function startReplica(procs: ProcessGroup, dir: string, id: number, namesrv: string, controller: string, extra: string[] = []): Promise<Replica> {
  const [port, haPort] = [await freePort(), await freePort()];
  const args = ['broker', '--broker-name', 'broker-a', '--broker-id', String(id), '--namesrv-addr', namesrv, '--controller-addr', controller,
    '--broker-port', String(port), '--ha-port', String(haPort), '--data-dir', path.join(dir, `a${id}`), '--cluster-all-ack-in-sync-state-set', ...extra, ...FAST];
  const proc = procs.start(`broker ${id}`, args);
  const address = await proc.address('broker broker-a/\\d+ \\(controller mode\\)');
  return { id, args, address, proc };
}

export async function replicaInfo(client: RemotingClient, controller: string): Promise<ReplicaInfo | undefined> {
  const r = await client.invoke(controller, createRequest({ code: ControllerRequestCode.CONTROLLER_GET_REPLICA_INFO, header: { brokerName: 'broker-a' } })).catch(() => undefined);
  return r?.code === 0 && r.body ? JSON.parse(r.body.toString('utf8')) as ReplicaInfo : undefined;
}

export async function readAll(client: RemotingClient, addr: string, topic: string, queues: number): Promise<Placed[]> {
  const out: Placed[] = [];
  for (let queueId = 0; queueId < queues; queueId++) {
    for (let offset = 0; ;) {
      const r = await client.invoke(addr, createRequest({
        code: RequestCode.PULL_MESSAGE,
        header: { consumerGroup: 'reader', topic, queueId, queueOffset: offset, maxMsgNums: 256, sysFlag: 0x4, commitOffset: 0, suspendTimeoutMillis: 0, subscription: '*', subVersion: 0 },
      }));
      if (r.code !== ResponseCode.SUCCESS) break;
      for (const rec of decodeRecords(r.body)) out.push({ id: rec.body.toString(), queueId, queueOffset: rec.header.queueOffset });
      offset = Number(r.extFields.nextBeginOffset);
    }
  }
  return out;
}

/** a plain SEND_MESSAGE straight to one broker: its response code and remark (-1: no answer) */
export async function sendDirect(client: RemotingClient, addr: string, topic: string, body: string): Promise<{ code: number; remark: string }> {
  const r = await client.invoke(addr, createRequest({
    code: RequestCode.SEND_MESSAGE,
    header: { producerGroup: 'direct', topic, defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId: 0, sysFlag: 0, bornTimestamp: Date.now(), flag: 0, properties: '', reconsumeTimes: 0 },
    body: Buffer.from(body),
  }), 3_000).catch(() => undefined);
  return { code: r?.code ?? -1, remark: r?.remark ?? '' };
}


