/**
 * A master that restarted shorter than its slave (the tail of its log lost: here cut off
 * while it was down, as a machine crash with an asynchronous flush would) takes no send
 * until the slave handed the lost records back (replication/master-catch-up.ts): nothing
 * is stored at offsets the slave holds, every acknowledged send is on the master again,
 * and afterwards both logs grow as one.
 */
import { readdirSync, truncateSync } from 'node:fs';
import path from 'node:path';
import type { SendResult } from '../../../src/kernel/client/broker-api.js';
import { createRequest } from '../../../src/cluster/remoting/command.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { waitFor } from '../../helpers/kernel.js';
import { sendV2Header } from '../helpers/broker-fixture.js';
import { startCluster, type ClusterFixture } from '../helpers/cluster-fixture.js';

let c: ClusterFixture | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

test('a SYNC_MASTER back shorter than its slave refuses sends, takes the lost records back from the slave, then serves as one with it', async () => {
  c = await startCluster({ groups: [{ name: 'broker-a', slave: true, role: 'SYNC_MASTER' }] });
  const sent: SendResult[] = [];
  for (let i = 0; i < 40; i++) sent.push(await c.api.send({ message: { topic: 'behind', body: Buffer.from(`m-${i}`), keys: [`k-${i}`] } }));
  const master = c.node('broker-a', 0);
  const slave = c.node('broker-a', 1);
  await waitFor(() => slave.broker.store.commitLogMaxOffset === master.broker.store.commitLogMaxOffset, 5_000, 'the slave in sync');
  const slaveEnd = slave.broker.store.commitLogMaxOffset;

  // both down; the master's log loses its last 20 records
  await slave.stop();
  await master.stop();
  const cut = sent[20]!.commitLogOffset;
  const segments = readdirSync(path.join(master.dataDir, 'store', 'commitlog')).filter((n) => /^\d{20}$/.test(n));
  expect(segments).toEqual(['00000000000000000000']);
  truncateSync(path.join(master.dataDir, 'store', 'commitlog', segments[0]!), cut);

  const back = await c.restart('broker-a', 0);
  expect(back.broker.store.commitLogMaxOffset).toBe(cut);
  // no slave has reported yet: a send is refused before anything is stored
  const client = new RemotingClient(new TcpTransport());
  try {
    const refused = await client.invoke(back.server.address, createRequest({ code: RequestCode.SEND_MESSAGE_V2, header: sendV2Header('behind', {}), body: Buffer.from('too early') }));
    expect({ code: refused.code, remark: refused.remark }).toEqual({ code: ResponseCode.SLAVE_NOT_AVAILABLE, remark: expect.stringContaining('no slave has reported') });
    expect(back.broker.store.commitLogMaxOffset).toBe(cut);
  } finally {
    await client.close();
  }

  // the slave returns, ahead of its master: it hands the 20 records back
  const slaveBack = await c.restart('broker-a', 1);
  await waitFor(() => back.broker.store.commitLogMaxOffset === slaveEnd, 10_000, 'the master caught up from its slave');
  // (the slave counts what it handed back once the master's answer arrives)
  await waitFor(() => slaveBack.replication!.stats().handedBackBytes === slaveEnd - cut, 5_000, 'the slave counting what it handed back');
  expect(slaveBack.broker.store.commitLogMaxOffset).toBe(slaveEnd);
  for (const [i, r] of sent.entries()) {
    const m = await back.broker.viewMessage(r.msgId);
    expect({ i, body: m?.body.toString(), byKey: (await back.broker.queryMessagesByKey({ topic: 'behind', key: `k-${i}` })).length })
      .toEqual({ i, body: `m-${i}`, byKey: 1 });
  }
  expect(back.broker.store.maxOffset('behind', sent[39]!.queueId)).toBe(sent.filter((r) => r.queueId === sent[39]!.queueId).length);

  // and it takes sends again, acknowledged once the slave has them: one history
  let after: SendResult | undefined;
  await waitFor(async () => (after = await c!.api.send({ message: { topic: 'behind', body: Buffer.from('after') } }).catch(() => undefined)) !== undefined, 10_000, 'a send after the catch-up');
  expect(after!.commitLogOffset).toBeGreaterThanOrEqual(slaveEnd);
  await waitFor(() => slaveBack.broker.store.commitLogMaxOffset === back.broker.store.commitLogMaxOffset, 5_000, 'the slave in sync again');
  expect((await slaveBack.broker.viewMessage(after!.msgId))?.body.toString()).toBe('after');
  expect(back.replication!.stats().slaveAheadAt).toBeUndefined();
});
