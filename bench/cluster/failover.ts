/**
 * Controller-mode failover, in one run (JSON lines):
 *   - throughput of acknowledged sends (RemoteBrokerApi, `inflight` concurrent) to a
 *     two-replica group with allAckInSyncStateSet, and with async replication (acknowledged
 *     after the master's store); `ratio` = allAck over async;
 *   - recovery time of each: SIGKILL of the master → first acknowledged send started
 *     after the kill (on the elected slave), and the controller's election time.
 * Processes per group: a nameserver with the controller, two brokers (fast timers,
 * loopback). Both groups run at once and throughput is measured in alternating 500 ms
 * windows, so the machine's load falls on both alike.
 * Run: npx tsx bench/cluster/failover.ts [seconds=4] [inflight=16]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemoteBrokerApi } from '../../src/cluster/remote-broker-api.js';
import { RemotingClient } from '../../src/cluster/remoting/remoting-client.js';
import { TcpTransport } from '../../src/cluster/remoting/tcp-transport.js';
import { FAST_REMOTE } from '../../test/cluster/helpers/cluster-fixture.js';
import { ProcessGroup } from '../../test/cluster/helpers/processes.js';
import { FAST, replicaInfo, startReplica } from '../../test/cluster/controller/controller-cluster.js';

const seconds = Number(process.argv[2] ?? 4);
const inflight = Number(process.argv[3] ?? 16);

async function until(cond: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Group {
  name: string;
  procs: ProcessGroup;
  api: RemoteBrokerApi;
  kill(): { killedAt: number; elected: Promise<unknown> };
  close(): Promise<void>;
}

async function startGroup(name: string, allAck: boolean, client: RemotingClient): Promise<Group> {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-failover-bench-'));
  const ns = procs.start('ns', ['nameserver', '--controller', '--nameserver-port', '0', '--cluster-controller-port', '0', '--data-dir', path.join(dir, 'ns'), ...FAST]);
  const namesrv = await ns.address('nameserver');
  const controller = await ns.address('controller');
  const extra = allAck ? [] : ['--no-cluster-all-ack-in-sync-state-set'];
  const b1 = await startReplica(procs, dir, 1, namesrv, controller, extra);
  await b1.proc.line(/role master epoch 1/);
  const b2 = await startReplica(procs, dir, 2, namesrv, controller, extra);
  await until(async () => (await replicaInfo(client, controller))?.syncStateSet.length === 2, 15_000, 'in sync');
  const api = new RemoteBrokerApi({ nameServers: [namesrv], ...FAST_REMOTE, retryTimesWhenSendFailed: 0 });
  await until(async () => (await api.createTopic({ topic: TOPIC, queueCount: 8 }).catch(() => undefined)) !== undefined, 10_000, 'topic');
  return {
    name, procs, api,
    kill: () => {
      const killedAt = Date.now();
      b1.proc.signal('SIGKILL');
      return { killedAt, elected: b2.proc.line(/role master epoch 2/, 20_000) };
    },
    close: async () => {
      await api.close();
      await procs.killAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const TOPIC = 'bench';
const body = Buffer.alloc(512, 'x');

/** acknowledged sends of `inflight` workers for `ms` */
async function window(api: RemoteBrokerApi, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let acked = 0;
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (Date.now() < end) {
      if (await api.send({ message: { topic: TOPIC, body } }).then(() => true, () => false)) acked++;
    }
  }));
  return acked;
}

/** SIGKILL of the master → first acknowledged send started after it */
async function recovery(g: Group): Promise<Record<string, number>> {
  let stop = false;
  let recoveredAt = 0;
  let failed = 0;
  const { killedAt, elected } = g.kill();
  const workers = Array.from({ length: inflight }, async () => {
    while (!stop) {
      const startedAt = Date.now();
      try {
        await g.api.send({ message: { topic: TOPIC, body } });
        if (startedAt >= killedAt && recoveredAt === 0) recoveredAt = Date.now();
      } catch {
        failed++;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  });
  await elected;
  const electedMs = Date.now() - killedAt;
  await until(() => recoveredAt > 0, 20_000, 'a write on the new master');
  stop = true;
  await Promise.all(workers);
  return { electedMs, recoveryMs: recoveredAt - killedAt, failedSendsDuringFailover: failed };
}

const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 3_000 });
const groups: Group[] = [];
try {
  // both groups up at once; throughput measured in alternating windows, so machine load hits both alike
  const asyncGroup = await startGroup('controller-async', false, client);
  groups.push(asyncGroup);
  const allAckGroup = await startGroup('controller-allAckInSyncStateSet', true, client);
  groups.push(allAckGroup);
  for (const g of groups) await window(g.api, 300); // warm-up
  const acked = new Map<Group, number>(groups.map((g) => [g, 0]));
  const rounds = Math.max(2, Math.round(seconds * 2));
  for (let i = 0; i < rounds; i++) for (const g of i % 2 === 0 ? groups : [...groups].reverse()) acked.set(g, acked.get(g)! + await window(g.api, 500));
  const throughput = (g: Group): number => Math.round(acked.get(g)! / (rounds * 0.5));
  const rec = new Map<Group, Record<string, number>>();
  for (const g of groups) rec.set(g, await recovery(g));
  console.log(JSON.stringify({ bench: 'cluster-failover', scenario: asyncGroup.name, seconds: rounds * 0.5, inflight, throughput: throughput(asyncGroup), ...rec.get(asyncGroup) }));
  console.log(JSON.stringify({
    bench: 'cluster-failover', scenario: allAckGroup.name, seconds: rounds * 0.5, inflight, throughput: throughput(allAckGroup), ...rec.get(allAckGroup),
    ratio: {
      throughput: Number((throughput(allAckGroup) / throughput(asyncGroup)).toFixed(3)),
      recoveryMs: Number((rec.get(allAckGroup)!.recoveryMs! / rec.get(asyncGroup)!.recoveryMs!).toFixed(3)),
    },
  }));
} finally {
  await client.close();
  for (const g of groups) await g.close();
}
