/**
 * Partitions between a SYNC_MASTER and its slave, through a TCP proxy on loopback
 * (helpers/tcp-proxy.ts) on the slave's HA connection. Under any cut (both ways, one
 * way, a reset) every send is answered FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE, never
 * SUCCESS; once healed the slave catches up, sends are acknowledged again, and the slave
 * holds every acknowledged message where its acknowledgement said (history.ts).
 */
import { createRequest } from '../../../src/cluster/remoting/command.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { waitFor } from '../../helpers/kernel.js';
import { pullAll, sendV2Header } from '../helpers/broker-fixture.js';
import { startCluster, type BrokerNode, type ClusterFixture } from '../helpers/cluster-fixture.js';
import { History, type Placed } from '../helpers/history.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const TOPIC = 'partition';
const QUEUES = 4;

let c: ClusterFixture | undefined;
let proxy: TcpProxy | undefined;
let client: RemotingClient | undefined;
afterEach(async () => {
  await client?.close();
  await c?.close();
  await proxy?.close();
  [c, proxy, client] = [undefined, undefined, undefined];
});

async function readQueues(node: BrokerNode): Promise<Placed[]> {
  return pullAll(client!, node.server.address, TOPIC, QUEUES);
}

test('a SYNC_MASTER cut from its slave (both ways, one way, reset) never answers SUCCESS; healed, the slave catches up and holds every acknowledged send', async () => {
  c = await startCluster({
    groups: [{ name: 'broker-a', slave: true, role: 'SYNC_MASTER' }], syncTimeoutMs: 500,
    haVia: async (target) => (proxy = await TcpProxy.start(target)).address,
  });
  client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 5_000 });
  const master = c.node('broker-a', 0);
  const slave = c.node('broker-a', 1);
  await c.api.createTopic({ topic: TOPIC, queueCount: QUEUES });
  const history = new History();
  let n = 0;
  /** one send straight to the master; its response code */
  const send = async (): Promise<number> => {
    const id = `p-${n++}`;
    history.attempt();
    const r = await client!.invoke(master.server.address, createRequest({ code: RequestCode.SEND_MESSAGE_V2, header: sendV2Header(TOPIC, {}, { e: n % QUEUES }), body: Buffer.from(id) }));
    if (r.code === ResponseCode.SUCCESS) history.ackedSend({ id, queueId: Number(r.extFields.queueId), queueOffset: Number(r.extFields.queueOffset) });
    else history.failedSend(id);
    return r.code;
  };
  const codes = async (count: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(await send());
    return out;
  };
  const inSync = (): Promise<void> => waitFor(() => slave.broker.store.commitLogMaxOffset === master.broker.store.commitLogMaxOffset, 10_000, 'the slave caught up');
  const refusals = new Set<number>([ResponseCode.FLUSH_SLAVE_TIMEOUT, ResponseCode.SLAVE_NOT_AVAILABLE]);

  await waitFor(async () => (await send()) === ResponseCode.SUCCESS, 10_000, 'a first acknowledged send');
  expect(await codes(10)).toEqual(Array(10).fill(ResponseCode.SUCCESS));

  const phases: Array<[string, () => void]> = [
    ['partition', () => proxy!.partition()],
    ['slave to master only (its reports, no transfers)', () => proxy!.oneWay('toTarget')],
    ['master to slave only (transfers, no reports)', () => proxy!.oneWay('toClient')],
    ['partition, then the connection reset', () => {
      proxy!.partition();
      proxy!.reset();
      proxy!.refuse(true);
    }],
  ];
  for (const [phase, cut] of phases) {
    cut();
    const during = await codes(3);
    expect({ phase, refused: during.every((code) => refusals.has(code)) }).toEqual({ phase, refused: true });
    proxy!.refuse(false);
    proxy!.heal();
    await inSync();
    await waitFor(async () => (await send()) === ResponseCode.SUCCESS, 10_000, `an acknowledged send after "${phase}" healed`);
  }
  // a slow link only slows acknowledgements
  proxy!.delay(20);
  await waitFor(async () => (await send()) === ResponseCode.SUCCESS, 10_000, 'an acknowledged send over a slow link');
  proxy!.heal();
  await inSync();

  const report = history.check(await readQueues(slave));
  expect({ missingInStore: report.missingInStore, misplaced: report.misplaced }).toEqual({ missingInStore: [], misplaced: [] });
  expect(report.failed).toBeGreaterThanOrEqual(12);
  // refused sends were stored on the master all the same (RocketMQ's handleHA), and replicated once healed
  expect((await readQueues(slave)).length).toBe(report.attempted);
});
