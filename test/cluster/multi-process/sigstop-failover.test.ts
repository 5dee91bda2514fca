/**
 * A hung broker (SIGSTOP: its sockets stay open, nothing answers) in a cluster of two
 * broker groups, each role a process of its own, fast timers. Producers publishing through
 * a gateway over HTTP lose nothing: a send stuck on the hung group times out and is retried
 * on the other one, the latency fault tolerance keeps sends away from the hung group, and
 * once the nameserver drops it (silent past `cluster.brokerExpiryMs`) and the gateway's
 * route refreshes, every send goes to the other group without delay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemoteBrokerApi } from '../../../src/cluster/remote-broker-api.js';
import { waitFor } from '../../helpers/kernel.js';
import { FAST_REMOTE } from '../helpers/cluster-fixture.js';
import { History } from '../helpers/history.js';
import { ProcessGroup } from '../helpers/processes.js';

const FAST = ['--cluster-timers', 'fast', '--host', '127.0.0.1', '--cluster-store-host', '127.0.0.1', '--broker-port', '0'];

test('SIGSTOP of a broker: producers move to the other group within the configured time, none fails', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-stop-'));
  let api: RemoteBrokerApi | undefined;
  let producing = true;
  try {
    const ns = procs.start('ns', ['nameserver', '--nameserver-port', '0', ...FAST]);
    const namesrv = await ns.address('nameserver');
    const brokers = ['broker-a', 'broker-b'].map((name) => procs.start(name, ['broker', '--broker-name', name, '--role', 'ASYNC_MASTER', '--namesrv-addr', namesrv, '--data-dir', path.join(dir, name), ...FAST]));
    const gateway = procs.start('gateway', ['gateway', '--namesrv-addr', namesrv, '--http-port', '0', '--no-mqtt-enabled', '--no-stomp-enabled', '--no-rocketmq-enabled', ...FAST]);
    for (const b of brokers) await b.line(/ready: broker/);
    const http = await gateway.address('http');
    api = new RemoteBrokerApi({ nameServers: [namesrv], ...FAST_REMOTE });
    await waitFor(async () => (await api!.view.groups()).length === 2, 10_000, 'both groups registered');
    await api.createTopic({ topic: 'stop', queueCount: 8 });
    const layout = (await api.view.layout('stop'))!;
    const baseOfB = layout.entry('broker-b')!.base;

    const history = new History();
    const sends: Array<{ at: number; ms: number; queueId: number }> = [];
    let n = 0;
    const producers = Array.from({ length: 4 }, async () => {
      while (producing) {
        const id = `s-${n++}`;
        const started = Date.now();
        history.attempt();
        const res = await fetch(`http://${http}/v1/topics/stop/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: id }) });
        const json = await res.json() as { queueId: number; queueOffset: number };
        if (res.status !== 201) {
          history.failedSend(id);
          continue;
        }
        history.ackedSend({ id, queueId: json.queueId, queueOffset: json.queueOffset });
        sends.push({ at: started, ms: Date.now() - started, queueId: json.queueId });
      }
    });
    await waitFor(() => sends.some((s) => s.queueId >= baseOfB) && sends.some((s) => s.queueId < baseOfB), 10_000, 'sends on both groups');

    const stoppedAt = Date.now();
    brokers[1]!.signal('SIGSTOP');
    // fast profile: a call times out after 2 s; the nameserver drops a silent broker after 3 s; routes refresh every 0.5 s
    await new Promise((r) => setTimeout(r, 6_500));
    producing = false;
    await Promise.all(producers);

    const settledAfter = stoppedAt + 4_500;
    const late = sends.filter((s) => s.at >= settledAfter);
    const slowest = Math.max(...sends.filter((s) => s.at >= stoppedAt).map((s) => s.ms));
    console.log(`sigstop failover: ${JSON.stringify({ acked: history.acked.size, failed: history.failed.size, afterStop: sends.filter((s) => s.at >= stoppedAt).length, slowestSendAfterStopMs: slowest, sendsAfterSettling: late.length, slowestAfterSettlingMs: Math.max(0, ...late.map((s) => s.ms)) })}`);
    expect(history.failed.size).toBe(0);
    expect(late.length).toBeGreaterThan(20);
    expect(late.every((s) => s.queueId < baseOfB)).toBe(true);
    expect(late.every((s) => s.ms < 1_000)).toBe(true);
    // nothing acknowledged is missing from the groups that stored it
    brokers[1]!.signal('SIGCONT');
    await waitFor(async () => (await api!.view.groups().catch(() => [])).length === 2, 10_000, 'broker-b back');
    const stats = await api.topicStats('stop');
    expect(stats!.messageCount).toBeGreaterThanOrEqual(history.acked.size);
  } finally {
    producing = false;
    await api?.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
