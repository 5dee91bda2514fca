/**
 * Consumer offsets travel with the commit log in controller mode (offset-log.ts): a
 * group's commits on the master reach the in-sync slave through the HA stream, not only
 * with its metadata sync (every 10 minutes here, and on config changes, which offset
 * commits are not): UPDATE_CONSUMER_OFFSET's at once, a pull's commit flag with the master's
 * next sweep. The master is killed once the slave shows the last commit; the slave,
 * elected, serves the group the offsets last committed, not older ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemoteBrokerApi } from '../../../src/cluster/remote-broker-api.js';
import { createRequest } from '../../../src/cluster/remoting/command.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { waitFor } from '../../helpers/kernel.js';
import { FAST_REMOTE } from '../helpers/cluster-fixture.js';
import { ProcessGroup } from '../helpers/processes.js';
import { startControlledPair } from './controller-cluster.js';

const TOPIC = 'offset-log';
const GROUP = 'offset-log-group';
const QUEUES = 2;

async function commit(client: RemotingClient, addr: string, queueId: number, offset: number): Promise<void> {
  const r = await client.invoke(addr, createRequest({ code: RequestCode.UPDATE_CONSUMER_OFFSET, header: { consumerGroup: GROUP, topic: TOPIC, queueId, commitOffset: offset } }));
  if (r.code !== ResponseCode.SUCCESS) throw new Error(`commit ${queueId}@${offset}: ${r.code} ${r.remark ?? ''}`);
}

/** the group's committed offset of a queue on `addr`, -1 when none or no answer */
async function committed(client: RemotingClient, addr: string, queueId: number): Promise<number> {
  const r = await client.invoke(addr, createRequest({ code: RequestCode.QUERY_CONSUMER_OFFSET, header: { consumerGroup: GROUP, topic: TOPIC, queueId, setZeroIfNotFound: false } })).catch(() => undefined);
  return r?.code === ResponseCode.SUCCESS ? Number(r.extFields.offset) : -1;
}

async function offsetsOn(client: RemotingClient, addr: string): Promise<number[]> {
  const all: number[] = [];
  for (let q = 0; q < QUEUES; q++) all.push(await committed(client, addr, q));
  return all;
}

test('offsets committed on the master survive its failover without rolling back', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-ctl-'));
  const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 3_000 });
  let api: RemoteBrokerApi | undefined;
  try {
    const { namesrv, b1, b2 } = await startControlledPair(procs, dir, client, [], ['--cluster-slave-sync-interval-ms', '600000']);
    await b2.proc.line(/role slave epoch 1/);

    api = new RemoteBrokerApi({ nameServers: [namesrv], ...FAST_REMOTE, retryTimesWhenSendFailed: 0 });
    await waitFor(async () => (await api!.createTopic({ topic: TOPIC, queueCount: QUEUES }).catch(() => undefined)) !== undefined, 10_000, 'the topic created');
    for (let q = 0; q < QUEUES; q++) {
      for (let i = 0; i < 10; i++) {
        await waitFor(async () => (await api!.send({ message: { topic: TOPIC, body: Buffer.from(`m${q}-${i}`) }, queueId: q }).catch(() => undefined)) !== undefined, 10_000, `message ${q}/${i} acknowledged`);
      }
    }

    // without the offset log even these never reach the slave: its only sync round ran before the topic existed
    for (let q = 0; q < QUEUES; q++) await commit(client, b1.address, q, 3);
    await waitFor(async () => (await offsetsOn(client, b2.address)).every((o) => o === 3), 10_000, 'the first offsets on the slave');
    // then commits no config change comes with (a config change makes the slave sync at once)
    for (let q = 0; q < QUEUES; q++) await commit(client, b1.address, q, 5 + q);
    await commit(client, b1.address, 0, 7);
    // a pull's commit flag: logged by the master's next sweep
    const pull = await client.invoke(b1.address, createRequest({
      code: RequestCode.PULL_MESSAGE,
      header: { consumerGroup: GROUP, topic: TOPIC, queueId: 1, queueOffset: 9, maxMsgNums: 1, sysFlag: 0x1 | 0x4, commitOffset: 9, suspendTimeoutMillis: 0, subscription: '*', subVersion: 0 },
    }));
    expect(pull.code).toBe(ResponseCode.SUCCESS);
    const last = [7, 9];
    expect(await offsetsOn(client, b1.address)).toEqual(last);
    await waitFor(async () => (await offsetsOn(client, b2.address)).join() === last.join(), 10_000, 'the last offsets on the slave');

    b1.proc.signal('SIGKILL');
    await b1.proc.exited;
    await b2.proc.line(/role master epoch 2/, 15_000);
    await waitFor(async () => (await offsetsOn(client, b2.address)).every((o) => o >= 0), 10_000, 'the new master answering');
    expect(await offsetsOn(client, b2.address)).toEqual(last);
  } finally {
    await api?.close();
    await client.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
