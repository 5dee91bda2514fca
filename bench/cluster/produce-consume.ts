/**
 * Cluster throughput next to the embedded default, in one run (issue 11): produce → push
 * consume of 1 KiB messages over 8 queues through the kernel client, once on the embedded
 * broker and once through RemoteBrokerApi (what a gateway node runs) against a nameserver
 * and one broker group (master + slave, replicating over RocketMQ's HA protocol) on TCP
 * loopback, as ASYNC_MASTER and as SYNC_MASTER. `ratio` is the remote figure over the
 * embedded one. Then the failover: the master stops, and the time until the slave serves a
 * read, and until a restarted master takes a write again.
 *
 * Everything runs in this process (one event loop for client, brokers and slave): the
 * figures are lower bounds of what separate processes reach. Prints JSON lines.
 * Usage: npx tsx bench/cluster/produce-consume.ts [--messages N] [--inflight N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Broker } from '../../src/kernel/broker/broker.js';
import { EmbeddedBrokerApi } from '../../src/kernel/client/embedded-broker-api.js';
import { DefaultKernelClient } from '../../src/kernel/client/kernel-client.js';
import { ConsumeFrom, ConsumeStatus, type BrokerApi } from '../../src/kernel/index.js';
import { startBrokerServer, type BrokerServer } from '../../src/cluster/broker-server/broker-server.js';
import { startNameServer } from '../../src/cluster/nameserver/nameserver.js';
import { RemoteBrokerApi } from '../../src/cluster/remote-broker-api.js';
import { startReplication, type BrokerRole, type Replication } from '../../src/cluster/replication/replication.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface Figures {
  produceMsgsPerSec: number;
  endToEndMsgsPerSec: number;
  sendP50Ms: number;
  sendP99Ms: number;
  latencyP99Ms: number;
}

async function run(api: BrokerApi, messages: number, inflight: number, topic: string): Promise<Figures> {
  const client = new DefaultKernelClient(api);
  await client.admin.createTopic({ topic, queueCount: 8 });
  const latencies: number[] = [];
  const sends: number[] = [];
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const consumer = client.createPushConsumer({ group: `${topic}-g`, consumeFrom: ConsumeFrom.First, consumeConcurrency: 64, pullBatchSize: 64, rebalanceIntervalMs: 500 });
  consumer.subscribe(topic);
  await consumer.start(async (m) => {
    latencies.push(Date.now() - m.bornTimestamp);
    if (++received === messages) done();
    return ConsumeStatus.Success;
  });
  const producer = client.createProducer();
  const body = Buffer.alloc(1024, 7);
  const started = process.hrtime.bigint();
  const pending = new Set<Promise<unknown>>();
  for (let i = 0; i < messages; i++) {
    const t = performance.now();
    const p = producer.send({ topic, body }).then(() => sends.push(performance.now() - t)).finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= inflight) await Promise.race(pending);
  }
  await Promise.all(pending);
  const produced = Number(process.hrtime.bigint() - started) / 1e9;
  await finished;
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.shutdown(100);
  latencies.sort((a, b) => a - b);
  sends.sort((a, b) => a - b);
  return {
    produceMsgsPerSec: Math.round(messages / produced), endToEndMsgsPerSec: Math.round(messages / total),
    sendP50Ms: Math.round(percentile(sends, 50) * 100) / 100, sendP99Ms: Math.round(percentile(sends, 99) * 100) / 100, latencyP99Ms: percentile(latencies, 99),
  };
}

interface Node {
  broker: Broker;
  server: BrokerServer;
  replication: Replication;
  stop(): Promise<void>;
}

async function startNode(dir: string, brokerId: number, role: BrokerRole, ns: string, port: number, haPort: number): Promise<Node> {
  const broker = await Broker.open({ dataDir: dir, brokerName: 'broker-a', storeHost: '127.0.0.1', storePort: port, defaultQueueCount: 8, readOnly: role === 'SLAVE' });
  const replication = await startReplication({ broker, role, haPort, heartbeatMs: 200, reconnectMs: 100, syncIntervalMs: 200 });
  const server = await startBrokerServer({ broker, port, brokerId, nameServers: [ns], registerIntervalMs: 500, topicChangeCheckMs: 50, haServerAddress: `127.0.0.1:${haPort}`, ...replication.serverHooks });
  return {
    broker, server, replication,
    stop: async () => {
      await server.close();
      await replication.close();
      await broker.close();
    },
  };
}

async function main(): Promise<void> {
  const messages = arg('messages', 20_000);
  const inflight = arg('inflight', 128);
  const root = mkdtempSync(path.join(tmpdir(), 'bench-cluster-'));
  try {
    const embeddedBroker = await Broker.open({ dataDir: path.join(root, 'embedded'), defaultQueueCount: 8 });
    const embedded = await run(new EmbeddedBrokerApi(embeddedBroker), messages, inflight, 'bench-embedded');
    await embeddedBroker.close();
    console.log(JSON.stringify({ bench: 'cluster', scenario: 'embedded', messages, inflight, ...embedded }));

    for (const role of ['ASYNC_MASTER', 'SYNC_MASTER'] as const) {
      const ns = await startNameServer({ port: 0, scanIntervalMs: 200 });
      const [mPort, mHa, sPort, sHa] = [await freePort(), await freePort(), await freePort(), await freePort()];
      const dirs = [path.join(root, `${role}-0`), path.join(root, `${role}-1`)];
      let master = await startNode(dirs[0]!, 0, role, ns.address, mPort, mHa);
      const slave = await startNode(dirs[1]!, 1, 'SLAVE', ns.address, sPort, sHa);
      while (master.replication.stats().connectedSlaves === 0) await new Promise((r) => setTimeout(r, 50));
      const api = new RemoteBrokerApi({ nameServers: [ns.address], routeRefreshMs: 500, refreshOnErrorMs: 100, masterDownMs: 2_000 });
      const figures = await run(api, messages, inflight, `bench-${role}`);
      const ratio = {
        produce: Math.round((figures.produceMsgsPerSec / embedded.produceMsgsPerSec) * 1000) / 1000,
        endToEnd: Math.round((figures.endToEndMsgsPerSec / embedded.endToEndMsgsPerSec) * 1000) / 1000,
      };
      console.log(JSON.stringify({ bench: 'cluster', scenario: `remote-${role}-with-slave`, messages, inflight, ...figures, ratio }));

      if (role === 'SYNC_MASTER') {
        // failover: the master goes; the slave serves reads; a restarted master takes writes
        const sent = await api.send({ message: { topic: `bench-${role}`, body: Buffer.from('last') }, queueId: 0 });
        const stoppedAt = performance.now();
        await master.stop();
        for (;;) {
          const r = await api.pull({ group: 'failover', topic: `bench-${role}`, queueId: 0, offset: sent.queueOffset, maxMessages: 1 }).catch(() => undefined);
          if (r?.messages.length === 1) break;
          await new Promise((res) => setTimeout(res, 5));
        }
        const readFailoverMs = Math.round(performance.now() - stoppedAt);
        const restartAt = performance.now();
        master = await startNode(dirs[0]!, 0, role, ns.address, mPort, mHa);
        for (;;) {
          if (await api.send({ message: { topic: `bench-${role}`, body: Buffer.from('again') } }).then(() => true, () => false)) break;
          await new Promise((res) => setTimeout(res, 10));
        }
        const writeRecoveryMs = Math.round(performance.now() - restartAt);
        console.log(JSON.stringify({ bench: 'cluster', scenario: 'sync-master-failover', readFailoverMs, writeRecoveryMs }));
      }
      await api.close();
      await slave.stop();
      await master.stop();
      await ns.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
