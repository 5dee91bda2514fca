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
import { waitFor } from '../../helpers/kernel.js';

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

export interface ControlledPair {
  namesrv: string;
  controller: string;
  /** the first master (epoch 1) */
  b1: Replica;
  /** its slave, in the in-sync set when this resolves */
  b2: Replica;
}

/** a nameserver with the controller and replica 1, elected master (epoch 1) */
export async function startControlledMaster(procs: ProcessGroup, dir: string, extra: string[] = []): Promise<Omit<ControlledPair, 'b2'>> {
  const ns = procs.start('ns', ['nameserver', '--controller', '--nameserver-port', '0', '--cluster-controller-port', '0', '--data-dir', path.join(dir, 'ns'), ...FAST]);
  const namesrv = await ns.address('nameserver');
  const controller = await ns.address('controller');
  const b1 = await startReplica(procs, dir, 1, namesrv, controller, extra);
  await b1.proc.line(/role master epoch 1/);
  return { namesrv, controller, b1 };
}

/**
 * startControlledMaster, then replica 2 as its in-sync slave; `extra` goes to both
 * replicas, `slaveExtra` to replica 2 only
 */
export async function startControlledPair(procs: ProcessGroup, dir: string, client: RemotingClient, extra: string[] = [], slaveExtra: string[] = []): Promise<ControlledPair> {
  const { namesrv, controller, b1 } = await startControlledMaster(procs, dir, extra);
  const b2 = await startReplica(procs, dir, 2, namesrv, controller, [...extra, ...slaveExtra]);
  await waitFor(async () => (await replicaInfo(client, controller))?.syncStateSet.length === 2, 10_000, 'both replicas in sync');
  return { namesrv, controller, b1, b2 };
}

/** a queue's max offset as the broker reports it, -1 when it does not answer */
export async function maxOffset(client: RemotingClient, addr: string, topic: string, queueId = 0): Promise<number> {
  const r = await client.invoke(addr, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { topic, queueId } })).catch(() => undefined);
  return r?.code === ResponseCode.SUCCESS ? Number(r.extFields.offset) : -1;
}

export async function replicaInfo(client: RemotingClient, controller: string): Promise<ReplicaInfo | undefined> {
  const r = await client.invoke(controller, createRequest({ code: ControllerRequestCode.CONTROLLER_GET_REPLICA_INFO, header: { brokerName: 'broker-a' } })).catch(() => undefined);
  return r?.code === 0 && r.body ? JSON.parse(r.body.toString('utf8')) as ReplicaInfo : undefined;
}

/** what one broker holds for a topic: its records, and each queue's [minOffset, maxOffset) as the broker reported it */
export interface QueueContents {
  records: Placed[];
  ranges: Array<{ queueId: number; minOffset: number; maxOffset: number }>;
}

/**
 * Every record of `topic` on the broker at `addr`, queue by queue. Strict: a queue is
 * read until its reported maxOffset; a pull that stops short of it (an error code, a
 * role change closing the connection) throws instead of returning part of the queue, and
 * so does a topic with more queues than `queues` (unless `moreQueuesOk`): a partial read
 * never passes for lost messages. A topic the broker does not hold reads as empty.
 */
export async function readQueues(client: RemotingClient, addr: string, topic: string, queues: number, o: { moreQueuesOk?: boolean } = {}): Promise<QueueContents> {
  const records: Placed[] = [];
  const ranges: QueueContents['ranges'] = [];
  for (let queueId = 0; queueId < queues; queueId++) {
    let minOffset = 0;
    let maxOffset = 0;
    let retries = 0;
    for (let offset = 0; ;) {
      const r = await client.invoke(addr, createRequest({
        code: RequestCode.PULL_MESSAGE,
        header: { consumerGroup: 'reader', topic, queueId, queueOffset: offset, maxMsgNums: 256, sysFlag: 0x4, commitOffset: 0, suspendTimeoutMillis: 0, subscription: '*', subVersion: 0 },
      }));
      if (r.code === ResponseCode.TOPIC_NOT_EXIST) break;
      minOffset = Number(r.extFields.minOffset ?? 0);
      maxOffset = Number(r.extFields.maxOffset ?? 0);
      const next = Number(r.extFields.nextBeginOffset);
      if (r.code === ResponseCode.SUCCESS) {
        for (const rec of decodeRecords(r.body)) records.push({ id: rec.body.toString(), queueId, queueOffset: rec.header.queueOffset });
        offset = next;
        retries = 0;
        continue;
      }
      if (offset >= maxOffset && (r.code === ResponseCode.PULL_NOT_FOUND || (r.code === ResponseCode.PULL_OFFSET_MOVED && maxOffset === 0))) break; // read to the end
      if (offset < minOffset && r.code === ResponseCode.PULL_OFFSET_MOVED) {
        offset = minOffset;
        continue;
      }
      // entries that hold nothing readable (holes): the reader moves past them
      if (r.code === ResponseCode.PULL_RETRY_IMMEDIATELY && next > offset) {
        offset = next;
        continue;
      }
      if (r.code === ResponseCode.PULL_RETRY_IMMEDIATELY && retries++ < 5) continue;
      throw new Error(`reading ${topic}/${queueId} on ${addr} stopped at offset ${offset} of [${minOffset}, ${maxOffset}): code ${r.code} ${r.remark ?? ''}`);
    }
    ranges.push({ queueId, minOffset, maxOffset });
  }
  if (o.moreQueuesOk) return { records, ranges };
  // a topic with more queues than the caller reads would hide whatever went to the others
  const beyond = await client.invoke(addr, createRequest({
    code: RequestCode.PULL_MESSAGE,
    header: { consumerGroup: 'reader', topic, queueId: queues, queueOffset: 0, maxMsgNums: 1, sysFlag: 0x4, commitOffset: 0, suspendTimeoutMillis: 0, subscription: '*', subVersion: 0 },
  }));
  if (beyond.code !== ResponseCode.TOPIC_NOT_EXIST && !(beyond.code === ResponseCode.SYSTEM_ERROR && /illegal/.test(beyond.remark ?? ''))) {
    throw new Error(`topic ${topic} on ${addr} has more than the ${queues} queues read (queue ${queues} answers code ${beyond.code}, maxOffset ${beyond.extFields.maxOffset})`);
  }
  return { records, ranges };
}

/** readQueues' records, of the first `queues` queues (the topic may have more) */
export async function readAll(client: RemotingClient, addr: string, topic: string, queues: number): Promise<Placed[]> {
  return (await readQueues(client, addr, topic, queues, { moreQueuesOk: true })).records;
}

/**
 * Why acknowledged messages are not in `stored` (a failure message): for each, what the
 * broker holds at the queue offset its acknowledgement named: another message (the
 * offset was handed out twice), an entry the reader skipped (a hole, an unreadable
 * record), or nothing (past the queue's end: never written there, or cut off).
 */
export function explainMissing(missing: Placed[], stored: QueueContents): string {
  const at = new Map(stored.records.map((p) => [`${p.queueId}/${p.queueOffset}`, p.id]));
  const range = new Map(stored.ranges.map((r) => [r.queueId, r]));
  const lines = missing.map((m) => {
    const holder = at.get(`${m.queueId}/${m.queueOffset}`);
    const r = range.get(m.queueId);
    const where = holder !== undefined ? `holds ${holder} instead (the offset went to two messages, or the acknowledgement came from elsewhere)`
      : r && m.queueOffset < r.maxOffset ? `an entry the reader skipped (hole or unreadable record) below maxOffset ${r.maxOffset}`
        : `nothing: past the queue's end ${r?.maxOffset ?? 'n/a'}`;
    return `${m.id} acked at ${m.queueId}/${m.queueOffset}: ${where}`;
  });
  return `${lines.slice(0, 30).join('; ')}${lines.length > 30 ? `; ... ${lines.length - 30} more` : ''}; queues: ${JSON.stringify(stored.ranges)}`;
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


