/**
 * The Cluster page on a gateway node, in a real browser, over a real cluster of processes
 * (`rocketgate nameserver|broker|gateway`): the nameservers (one of them down), the broker
 * group's master and slave with their addresses, liveness and replication lag, as the
 * admin API reports them (GET /v1/admin/cluster). Screenshot under test-artifacts/dashboard/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import { freePort } from '../cluster/helpers/broker-fixture.js';
import { ProcessGroup } from '../cluster/helpers/processes.js';
import { waitFor } from '../helpers/kernel.js';
import { openBrowser, screenshot, type BrowserSession } from './fixture.js';

jest.setTimeout(180_000);

const FAST = ['--cluster-timers', 'fast', '--host', '127.0.0.1', '--cluster-store-host', '127.0.0.1'];
/** five processes starting at once (tsx compiles each) on a busy 2-core machine */
const START_MS = 60_000;

interface ClusterBody {
  mode: string;
  cluster?: {
    nameservers: Array<{ address: string; alive: boolean }>;
    brokers: Array<{ brokerName: string; brokerId: number; role: string; address: string; alive: boolean; commitLogMaxOffset?: number; replicationLagBytes?: number }>;
  };
}

test('a gateway shows its nameservers, the master and slave, liveness and replication lag', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-dash-cluster-'));
  let b: BrowserSession | undefined;
  try {
    await buildDashboard();
    const ns = procs.start('ns', ['nameserver', '--nameserver-port', '0', ...FAST]);
    const live = await ns.address('nameserver', START_MS);
    // a nameserver address where nothing listens: reported down
    const dead = `127.0.0.1:${await freePort()}`;
    const namesrv = `${live};${dead}`;
    const [masterPort, haPort, slavePort] = [await freePort(), await freePort(), await freePort()];
    const master = procs.start('master', ['broker', '--broker-name', 'broker-a', '--broker-id', '0', '--role', 'ASYNC_MASTER', '--namesrv-addr', namesrv,
      '--broker-port', String(masterPort), '--ha-port', String(haPort), '--data-dir', path.join(dir, 'a0'), ...FAST]);
    const slave = procs.start('slave', ['broker', '--broker-name', 'broker-a', '--broker-id', '1', '--role', 'SLAVE', '--namesrv-addr', namesrv,
      '--broker-port', String(slavePort), '--data-dir', path.join(dir, 'a1'), ...FAST]);
    const gateway = procs.start('gateway', ['gateway', '--namesrv-addr', namesrv, '--http-port', '0', '--no-mqtt-enabled', '--no-stomp-enabled', '--no-rocketmq-enabled', ...FAST]);
    const masterAddr = await master.address('broker broker-a/0 \\(ASYNC_MASTER\\)', START_MS);
    const slaveAddr = await slave.address('broker broker-a/1 \\(SLAVE\\)', START_MS);
    const httpAddr = await gateway.address('http', START_MS);
    const base = `http://${httpAddr}`;

    // some traffic through the gateway, then the slave catches up
    const topic = await fetch(`${base}/v1/topics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'dash-cluster', queueCount: 2 }) });
    expect(topic.status).toBe(201);
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${base}/v1/topics/dash-cluster/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `reading ${i}` });
      expect(res.status).toBe(201);
    }
    let status: ClusterBody | undefined;
    await waitFor(async () => {
      status = (await (await fetch(`${base}/v1/admin/cluster`)).json()) as ClusterBody;
      const slaveRow = status.cluster?.brokers.find((x) => x.brokerId === 1);
      return slaveRow?.alive === true && slaveRow.replicationLagBytes === 0 && (slaveRow.commitLogMaxOffset ?? 0) > 0;
    }, 30_000, 'the slave caught up');
    expect(status!.mode).toBe('gateway');
    expect(status!.cluster!.nameservers).toEqual([{ address: live, alive: true }, expect.objectContaining({ address: dead, alive: false })]);
    expect(status!.cluster!.brokers.map((x) => [x.brokerName, x.brokerId, x.role, x.address, x.alive])).toEqual([
      ['broker-a', 0, 'master', masterAddr, true],
      ['broker-a', 1, 'slave', slaveAddr, true],
    ]);

    b = await openBrowser();
    const page = b.page;
    await page.goto(`${base}/dashboard/#/cluster`);
    await page.getByRole('heading', { level: 1, name: 'Cluster' }).waitFor();
    await page.locator(`#nameservers-table tr[data-address="${live}"]`, { hasText: 'up' }).waitFor();
    await page.locator(`#nameservers-table tr[data-address="${dead}"]`, { hasText: 'down' }).waitFor();
    const masterRow = page.locator('#brokers-table tr[data-broker="broker-a/0"]');
    const slaveRow = page.locator('#brokers-table tr[data-broker="broker-a/1"]');
    await slaveRow.waitFor();
    expect(await masterRow.textContent()).toContain(masterAddr);
    expect(await masterRow.textContent()).toContain('master');
    expect(await slaveRow.textContent()).toContain(slaveAddr);
    expect(await slaveRow.locator('[data-lag]').textContent()).toBe('0 B');
    await screenshot(page, '23-cluster-gateway');
    await page.goto('about:blank');
    expect(b.errors).toEqual([]);
  } finally {
    await b?.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
});
