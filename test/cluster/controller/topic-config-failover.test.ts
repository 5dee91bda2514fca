/**
 * A topic created on the master shortly before it dies: its records reach the in-sync
 * slave through the log at once, its config only with the slave's next metadata sync
 * (slave-sync.ts, on an interval here of 10 minutes) or when the master's config
 * fingerprint, sent with its next controller heartbeat, reaches the slave (config-sync.test.ts).
 * A master killed before that heartbeat leaves the elected slave holding the topic's queues
 * but no config for it (the fallback alone is tested in adopt-logged-topics.test.ts; here
 * either path may win). It must keep the topic's queue count (4, as the log shows), not auto-create it
 * anew with the default 8: producers would spread over 8 queues, consumers of the 4 would
 * miss half the messages and a sharding key would move to another queue.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemoteBrokerApi } from '../../../src/cluster/remote-broker-api.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { waitFor } from '../../helpers/kernel.js';
import { FAST_REMOTE } from '../helpers/cluster-fixture.js';
import { History } from '../helpers/history.js';
import { ProcessGroup } from '../helpers/processes.js';
import { explainMissing, readQueues, startControlledPair } from './controller-cluster.js';

const TOPIC = 'late-config';

test('a slave elected before it synced a topic\'s config keeps the topic\'s queues', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-ctl-'));
  const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 3_000 });
  let api: RemoteBrokerApi | undefined;
  try {
    const { namesrv, b1, b2 } = await startControlledPair(procs, dir, client, [], ['--cluster-slave-sync-interval-ms', '600000']);
    await b2.proc.line(/role slave epoch 1/);

    api = new RemoteBrokerApi({ nameServers: [namesrv], ...FAST_REMOTE, retryTimesWhenSendFailed: 0 });
    await waitFor(async () => (await api!.createTopic({ topic: TOPIC, queueCount: 4 }).catch(() => undefined)) !== undefined, 10_000, 'the topic created');
    const history = new History();
    const send = async (id: string): Promise<boolean> => {
      try {
        const r = await api!.send({ message: { topic: TOPIC, body: Buffer.from(id) } });
        history.ackedSend({ id, queueId: r.queueId, queueOffset: r.queueOffset });
        return true;
      } catch {
        return false;
      }
    };
    // allAckInSyncStateSet: acknowledged = on both replicas
    for (let i = 0; i < 8; i++) await waitFor(() => send(`before-${i}`), 10_000, `before-${i} acknowledged`);
    b1.proc.signal('SIGKILL');
    await b1.proc.exited;
    await b2.proc.line(/role master epoch 2/, 15_000);
    for (let i = 0; i < 16; i++) await waitFor(() => send(`after-${i}`), 15_000, `after-${i} acknowledged`);

    const queueIds = [...history.acked.values()].map((p) => p.queueId);
    const stored = await readQueues(client, b2.address, TOPIC, 4); // throws if the topic has more queues there
    const report = history.check(stored.records);
    if (report.missingInStore.length > 0 || report.misplaced.length > 0) console.log(explainMissing([...report.missingInStore, ...report.misplaced].map((id) => history.acked.get(id)!), stored));
    expect(report.missingInStore).toEqual([]);
    expect(report.misplaced).toEqual([]);
    expect(Math.max(...queueIds)).toBeLessThan(4);
  } finally {
    await api?.close();
    await client.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
