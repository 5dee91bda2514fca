/**
 * Role changes on a master while it takes writes: the controller re-elects the same
 * replica at a new epoch several times (as a late heartbeat under load can), so the
 * master closes and reopens its store with sends in flight. Every acknowledged message
 * must be on it afterwards, at the queue and offset its acknowledgement named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ControllerRequestCode } from '../../../src/cluster/controller/controller-codes.js';
import { RemoteBrokerApi } from '../../../src/cluster/remote-broker-api.js';
import { createRequest } from '../../../src/cluster/remoting/command.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { waitFor } from '../../helpers/kernel.js';
import { FAST_REMOTE } from '../helpers/cluster-fixture.js';
import { History } from '../helpers/history.js';
import { ProcessGroup } from '../helpers/processes.js';
import { explainMissing, readQueues, startControlledMaster } from './controller-cluster.js';

const TOPIC = 'reelected';

test('re-elections of the master under load lose no acknowledged message', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-ctl-'));
  const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 3_000 });
  let api: RemoteBrokerApi | undefined;
  let stop = false;
  try {
    const { namesrv, controller, b1 } = await startControlledMaster(procs, dir);
    api = new RemoteBrokerApi({ nameServers: [namesrv], ...FAST_REMOTE, retryTimesWhenSendFailed: 0 });
    await waitFor(async () => (await api!.createTopic({ topic: TOPIC, queueCount: 4 }).catch(() => undefined)) !== undefined, 10_000, 'the topic created');
    const history = new History();
    let n = 0;
    const producers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const id = `m-${n++}`;
        history.attempt();
        try {
          const r = await api!.send({ message: { topic: TOPIC, body: Buffer.from(id) } });
          history.ackedSend({ id, queueId: r.queueId, queueOffset: r.queueOffset });
        } catch {
          history.failedSend(id);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    });
    for (let epoch = 2; epoch <= 6; epoch++) {
      const before = history.acked.size;
      await waitFor(() => history.acked.size >= before + 40, 20_000, `40 acknowledged at epoch ${epoch - 1}`);
      await client.invoke(controller, createRequest({ code: ControllerRequestCode.CONTROLLER_ELECT_MASTER, header: { brokerName: 'broker-a', brokerId: 1 } }));
      await b1.proc.line(new RegExp(`role master epoch ${epoch}`), 15_000);
    }
    const before = history.acked.size;
    await waitFor(() => history.acked.size >= before + 40, 20_000, '40 acknowledged after the last re-election');
    stop = true;
    await Promise.all(producers);
    const stored = await readQueues(client, b1.address, TOPIC, 4);
    for (const p of stored.records) history.delivered(p);
    const report = history.check(stored.records);
    console.log(`re-elections under load: ${JSON.stringify({ ...report, lost: report.lost.length, missingInStore: report.missingInStore.length, misplaced: report.misplaced.length })}`);
    if (report.missingInStore.length > 0 || report.misplaced.length > 0) console.log(explainMissing([...report.missingInStore, ...report.misplaced].map((id) => history.acked.get(id)!), stored));
    expect(report.missingInStore).toEqual([]);
    expect(report.misplaced).toEqual([]);
    expect(report.orderViolations).toBe(0);
  } finally {
    stop = true;
    await api?.close();
    await client.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
