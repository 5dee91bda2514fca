/**
 * Every role as a process of its own (`node --import tsx src/main.ts <role>`), on loopback:
 * two nameservers, one broker group (SYNC_MASTER + SLAVE), one gateway node with the HTTP
 * adapter. Producers publish through the gateway over HTTP while a push consumer group
 * (in this process, a client of the cluster) consumes; a nameserver is SIGKILLed, then the
 * master. The history checker then holds what producers were told against what consumers
 * got and what the slave stores: no acknowledged message lost, each at the queue and offset
 * its acknowledgement named, per-queue order kept, no committed offset going backwards.
 * Last, the master is started again on its directory: it catches up without losing
 * anything or rolling back the group's offsets, and takes writes again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConsumeFrom, ConsumeStatus, type PushConsumer } from '../../../src/kernel/index.js';
import { DefaultKernelClient } from '../../../src/kernel/client/kernel-client.js';
import { RemoteBrokerApi } from '../../../src/cluster/remote-broker-api.js';
import { createRequest } from '../../../src/cluster/remoting/command.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { waitFor } from '../../helpers/kernel.js';
import { freePort, pullAll } from '../helpers/broker-fixture.js';
import { FAST_REMOTE } from '../helpers/cluster-fixture.js';
import { History, type Placed } from '../helpers/history.js';
import { ProcessGroup } from '../helpers/processes.js';

const FAST = ['--cluster-timers', 'fast', '--host', '127.0.0.1', '--cluster-store-host', '127.0.0.1'];
const TOPIC = 'failover';
const GROUP = 'checker';

async function readAll(client: RemotingClient, addr: string, queues: number): Promise<Placed[]> {
  return pullAll(client, addr, TOPIC, queues);
}

async function committedOffset(client: RemotingClient, addr: string, queueId: number): Promise<number> {
  const r = await client.invoke(addr, createRequest({ code: RequestCode.QUERY_CONSUMER_OFFSET, header: { consumerGroup: GROUP, topic: TOPIC, queueId } }));
  return r.code === ResponseCode.SUCCESS ? Number(r.extFields.offset) : -1;
}

test('SIGKILL of a SYNC_MASTER under load: every acknowledged message is on the slave and delivered; the master comes back whole', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-mp-'));
  const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 3_000 });
  let api: RemoteBrokerApi | undefined;
  let consumer: PushConsumer | undefined;
  let stopProducing = false;
  let watching = true;
  try {
    const [ns1, ns2] = [procs.start('ns1', ['nameserver', '--nameserver-port', '0', ...FAST]), procs.start('ns2', ['nameserver', '--nameserver-port', '0', ...FAST])];
    const namesrv = [await ns1!.address('nameserver'), await ns2!.address('nameserver')].join(';');
    const [masterPort, haPort, slavePort] = [await freePort(), await freePort(), await freePort()];
    const masterArgs = ['broker', '--broker-name', 'broker-a', '--broker-id', '0', '--role', 'SYNC_MASTER', '--namesrv-addr', namesrv,
      '--broker-port', String(masterPort), '--ha-port', String(haPort), '--data-dir', path.join(dir, 'a0'), ...FAST];
    let master = procs.start('master', masterArgs);
    const slave = procs.start('slave', ['broker', '--broker-name', 'broker-a', '--broker-id', '1', '--role', 'SLAVE', '--namesrv-addr', namesrv,
      '--broker-port', String(slavePort), '--data-dir', path.join(dir, 'a1'), ...FAST]);
    // started with the brokers: a SYNC_MASTER refuses the gateway's start-up writes until its
    // slave has reported, and the gateway retries them rather than exiting
    const gateway = procs.start('gateway', ['gateway', '--namesrv-addr', namesrv, '--http-port', '0', '--no-mqtt-enabled', '--no-stomp-enabled', '--no-rocketmq-enabled', ...FAST]);
    const [masterAddr, slaveAddr] = [await master.address('broker broker-a/0 \\(SYNC_MASTER\\)'), await slave.address('broker broker-a/1 \\(SLAVE\\)')];

    api = new RemoteBrokerApi({ nameServers: namesrv.split(';'), ...FAST_REMOTE });
    await waitFor(async () => (await api!.createTopic({ topic: TOPIC, queueCount: 4 }).catch(() => undefined)) !== undefined, 10_000, 'the topic created');
    await waitFor(async () => (await api!.send({ message: { topic: 'warmup', body: Buffer.from('w') } }).catch(() => undefined)) !== undefined, 10_000, 'the slave in sync');
    const httpAddr = await gateway.address('http');

    const history = new History();
    const kernel = new DefaultKernelClient(api);
    consumer = kernel.createPushConsumer({ group: GROUP, consumeFrom: ConsumeFrom.First, rebalanceIntervalMs: 300, heartbeatIntervalMs: 300, pullSuspendMs: 1_000 });
    consumer.subscribe(TOPIC);
    await consumer.start(async (m) => {
      history.delivered({ id: m.body.toString(), queueId: m.queueId, queueOffset: m.queueOffset });
      return ConsumeStatus.Success;
    });
    // Not watched, by design of static master/slave (as RocketMQ 4): while the master is down
    // the slave answers with offsets synced on an interval (up to one interval old), and a
    // master restarted after SIGKILL answers from what it last persisted until its slave,
    // reconnecting, hands back the newer ones. (Controller mode replicates offsets with the
    // log instead.) The watcher pauses from the kill until the master took the slave's
    // offsets, then checks nothing is lower than anything seen before the kill.
    let paused = false;
    const watcher = (async () => {
      while (watching) {
        if (!paused) for (const lag of await api!.groupLag(GROUP).catch(() => [])) if (lag.topic === TOPIC && !paused) history.offsetSeen(lag.topic, lag.queueId, lag.consumerOffset);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();

    // the slave must be in sync before SYNC_MASTER acknowledges anything
    let n = 0;
    const publish = async (): Promise<void> => {
      const id = `m-${n++}`;
      history.attempt();
      try {
        const res = await fetch(`http://${httpAddr}/v1/topics/${TOPIC}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: id }) });
        const json = await res.json() as { queueId: number; queueOffset: number };
        if (res.status === 201) history.ackedSend({ id, queueId: json.queueId, queueOffset: json.queueOffset });
        else history.failedSend(id);
      } catch {
        history.failedSend(id);
      }
    };
    await waitFor(async () => {
      await publish();
      return history.acked.size > 0;
    }, 10_000, 'a first acknowledged send');
    const producers = Array.from({ length: 8 }, async () => {
      while (!stopProducing) await publish();
    });

    await waitFor(() => history.acked.size >= 150, 10_000, '150 acknowledged');
    ns1!.signal('SIGKILL'); // kill a nameserver: nothing notices
    await waitFor(() => history.acked.size >= 400, 10_000, '400 acknowledged');
    const ackedBeforeKill = history.acked.size;
    paused = true;
    master.signal('SIGKILL');
    await master.exited;
    await new Promise((r) => setTimeout(r, 1_500));
    stopProducing = true;
    await Promise.all(producers);

    // consumers continue from the slave: every acknowledged message arrives
    await waitFor(() => [...history.acked.keys()].every((id) => history.deliveredIds.has(id)), 15_000, 'every acknowledged message delivered');
    const stored = await readAll(client, slaveAddr, 4);
    const report = history.check(stored);
    console.log(`multi-process failover: ${JSON.stringify({ ...report, lost: report.lost.length, missingInStore: report.missingInStore.length, misplaced: report.misplaced.length, ackedBeforeKill, storedOnSlave: stored.length })}`);
    expect(report.acked).toBeGreaterThanOrEqual(400);
    expect(report.lost).toEqual([]);
    expect(report.missingInStore).toEqual([]);
    expect(report.misplaced).toEqual([]);
    expect(report.orderViolations).toBe(0);
    // writes had nowhere to go while the only master was down
    expect(report.failed).toBeGreaterThan(0);

    // consumers committed to the slave meanwhile
    const slaveOffsets = await Promise.all([0, 1, 2, 3].map((q) => committedOffset(client, slaveAddr, q)));
    master = procs.start('master again', masterArgs);
    expect(await master.address('broker broker-a/0 \\(SYNC_MASTER\\)')).toBe(masterAddr);
    // the master is back whole: every acknowledged message, offsets not rolled back, writes again
    const onMaster = await readAll(client, masterAddr, 4);
    expect(history.check(onMaster).missingInStore).toEqual([]);
    await waitFor(async () => {
      const offsets = await Promise.all([0, 1, 2, 3].map((q) => committedOffset(client, masterAddr, q)));
      return offsets.every((o, q) => o >= slaveOffsets[q]!);
    }, 10_000, 'the master\'s offsets at least the slave\'s');
    paused = false;
    await waitFor(async () => (await fetch(`http://${httpAddr}/v1/topics/${TOPIC}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: 'after' }) })).status === 201, 10_000, 'a send through the returned master');
    watching = false;
    await watcher;
    expect(history.check(stored).offsetRegressions).toBe(0);
  } finally {
    stopProducing = true;
    watching = false;
    await consumer?.shutdown(100).catch(() => undefined);
    await api?.close();
    await client.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
