/**
 * Master/slave replication: RocketMQ's HA stream byte for byte, a slave that copies,
 * dispatches and serves, SYNC_MASTER's acknowledgement and its two refusals, config and
 * offsets that reach the slave, and offsets committed to a slave while its master was
 * away that survive the master's return.
 */
import net from 'node:net';
import { Broker } from '../../../src/kernel/broker/broker.js';
import { ConsumeFrom, MessageModel } from '../../../src/kernel/index.js';
import { HaMaster } from '../../../src/cluster/replication/ha-master.js';
import { HA_HEADER_BYTES, encodeReport } from '../../../src/cluster/replication/ha-protocol.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { createRequest } from '../../../src/cluster/remoting/command.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/kernel.js';
import { sendV2Header } from '../helpers/broker-fixture.js';
import { startCluster, type ClusterFixture } from '../helpers/cluster-fixture.js';

/** reads exact byte counts from a socket, in order */
function reader(socket: net.Socket): (n: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let want: { n: number; resolve: (b: Buffer) => void } | undefined;
  const serve = (): void => {
    if (!want || buffered.length < want.n) return;
    const out = buffered.subarray(0, want.n);
    buffered = buffered.subarray(want.n);
    const w = want;
    want = undefined;
    w.resolve(out);
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    serve();
  });
  return (n) => new Promise((resolve) => {
    want = { n, resolve };
    serve();
  });
}

test('the HA stream: an 8-byte report, then 12-byte headers and the raw log bytes from that offset', async () => {
  const temp = makeTempDir('rocketgate-ha-');
  const broker = await Broker.open({ dataDir: temp.dir, flushIntervalMs: 20 });
  const master = await HaMaster.listen({ store: broker.store, port: 0, heartbeatMs: 200 });
  const socket = net.connect({ host: '127.0.0.1', port: master.port });
  const readBytes = reader(socket);
  try {
    await new Promise((r) => socket.once('connect', r));
    for (let i = 0; i < 3; i++) await broker.send({ message: { topic: 'ha', body: Buffer.from(`record ${i}`) } });
    const end = broker.store.commitLogMaxOffset;
    socket.write(encodeReport(0));
    const header = await readBytes(HA_HEADER_BYTES);
    expect(Number(header.readBigInt64BE(0))).toBe(0);
    expect(header.readInt32BE(8)).toBe(end);
    const body = await readBytes(end);
    expect(body.equals(await broker.store.readCommitLog(0, end))).toBe(true);
    // acknowledged: then a heartbeat header (size 0) at the end of the log
    socket.write(encodeReport(end));
    await waitFor(() => master.ackOffset === end, 2_000, 'the ack');
    const heartbeat = await readBytes(HA_HEADER_BYTES);
    expect([Number(heartbeat.readBigInt64BE(0)), heartbeat.readInt32BE(8)]).toEqual([end, 0]);
    // new data is pushed as it is written
    await broker.send({ message: { topic: 'ha', body: Buffer.from('more') } });
    const next = await readBytes(HA_HEADER_BYTES);
    expect(Number(next.readBigInt64BE(0))).toBe(end);
    expect(next.readInt32BE(8)).toBe(broker.store.commitLogMaxOffset - end);
  } finally {
    socket.destroy();
    await master.close();
    await broker.close();
    temp.cleanup();
  }
});

describe('a broker group with a slave', () => {
  let c: ClusterFixture;
  afterEach(async () => {
    await c.close();
  });

  test('SYNC_MASTER: a send is acknowledged once the slave holds it; the slave dispatches and serves it; config follows', async () => {
    c = await startCluster({ groups: [{ name: 'broker-a', slave: true, role: 'SYNC_MASTER' }], broker: { segmentSize: 16 * 1024 } });
    const master = c.node('broker-a', 0);
    const slave = c.node('broker-a', 1);
    await waitFor(() => master.replication!.stats().connectedSlaves === 1, 5_000, 'the slave connected');
    await c.api.createTopic({ topic: 'sync', queueCount: 2 });
    const results = [];
    // enough to roll the 16 KiB commit log segments several times
    for (let i = 0; i < 150; i++) {
      const r = await c.api.send({ message: { topic: 'sync', body: Buffer.alloc(400, i % 256), tag: `t${i % 3}` } });
      expect(slave.broker.store.commitLogMaxOffset).toBeGreaterThan(r.commitLogOffset);
      results.push(r);
    }
    expect(slave.broker.store.commitLogMaxOffset).toBe(master.broker.store.commitLogMaxOffset);
    const last = results[results.length - 1]!;
    const local = last.queueId;
    const read = await slave.broker.pull({ group: 'g', topic: 'sync', queueId: local, offset: last.queueOffset, maxMessages: 1 });
    expect(read.messages[0]!.msgId).toBe(last.msgId);
    await waitFor(() => slave.broker.topics.get('sync')?.queueCount === 2, 5_000, 'the topic config on the slave');
    // offsets and groups reach the slave
    await c.api.heartbeat({ clientId: 'c', group: 'sg', messageModel: MessageModel.Clustering, consumeFrom: ConsumeFrom.First, subscriptions: [] });
    await c.api.commitOffset({ group: 'sg', topic: 'sync', queueId: 0, offset: 7 });
    await waitFor(() => slave.broker.offsets.query('sg', 'sync', 0) === 7, 5_000, 'the offset on the slave');
    expect(master.replication!.stats().syncAcked).toBeGreaterThanOrEqual(150);
  });

  test('SYNC_MASTER refuses to acknowledge without a slave: SLAVE_NOT_AVAILABLE, or FLUSH_SLAVE_TIMEOUT from a silent one', async () => {
    c = await startCluster({ groups: [{ name: 'broker-a', slave: true, role: 'SYNC_MASTER' }], syncTimeoutMs: 300 });
    const master = c.node('broker-a', 0);
    await c.node('broker-a', 1).stop();
    await waitFor(() => master.replication!.stats().connectedSlaves === 0, 5_000, 'the slave gone');
    const client = new RemotingClient(new TcpTransport());
    const send = () => client.invoke(master.server.address, createRequest({ code: RequestCode.SEND_MESSAGE_V2, header: sendV2Header('sync', {}, { n: 'broker-a' }), body: Buffer.from('x') }));
    try {
      const none = await send();
      expect(none.code).toBe(ResponseCode.SLAVE_NOT_AVAILABLE);
      // the message is stored on the master all the same, with its ids in the header
      expect(none.extFields.queueOffset).toBeDefined();
      // a "slave" that reports once and then never again
      const port = master.replication!.haPort!;
      const silent = net.connect({ host: '127.0.0.1', port });
      await new Promise((r) => silent.once('connect', r));
      silent.write(encodeReport(master.broker.store.commitLogMaxOffset));
      await waitFor(() => master.replication!.stats().connectedSlaves === 1, 2_000, 'the silent slave');
      silent.pause();
      const started = Date.now();
      const late = await send();
      expect(late.code).toBe(ResponseCode.FLUSH_SLAVE_TIMEOUT);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      silent.destroy();
      // through RemoteBrokerApi, neither counts as sent
      await expect(c.api.send({ message: { topic: 'sync', body: Buffer.from('y') } })).rejects.toMatchObject({ code: expect.stringMatching(/SERVICE_UNAVAILABLE|TIMEOUT/) });
    } finally {
      await client.close();
    }
  });

  test('ASYNC_MASTER acknowledges at once and the slave catches up', async () => {
    c = await startCluster({ groups: [{ name: 'broker-a', slave: true, role: 'ASYNC_MASTER' }] });
    const master = c.node('broker-a', 0);
    const slave = c.node('broker-a', 1);
    await c.node('broker-a', 1).stop();
    for (let i = 0; i < 20; i++) await c.api.send({ message: { topic: 'async', body: Buffer.from(String(i)) } });
    const restarted = await c.restart('broker-a', 1);
    expect(restarted).not.toBe(slave);
    await waitFor(() => restarted.broker.store.commitLogMaxOffset === master.broker.store.commitLogMaxOffset, 5_000, 'the slave caught up');
    expect(restarted.broker.store.maxOffset('async', 0) + restarted.broker.store.maxOffset('async', 1)
      + restarted.broker.store.maxOffset('async', 2) + restarted.broker.store.maxOffset('async', 3)).toBe(20);
  });

  test('master down: reads come from the slave; offsets committed there survive the master\'s return', async () => {
    c = await startCluster({ groups: [{ name: 'broker-a', slave: true, role: 'SYNC_MASTER' }] });
    await waitFor(() => c.node('broker-a', 0).replication!.stats().connectedSlaves === 1, 5_000, 'the slave connected');
    await c.api.createTopic({ topic: 'away', queueCount: 1 });
    for (let i = 0; i < 30; i++) await c.api.send({ message: { topic: 'away', body: Buffer.from(String(i)) } });
    const group = 'away-group';
    await c.api.heartbeat({ clientId: 'c', group, messageModel: MessageModel.Clustering, consumeFrom: ConsumeFrom.First, subscriptions: [] });
    await c.api.commitOffset({ group, topic: 'away', queueId: 0, offset: 10 });
    await waitFor(() => c.node('broker-a', 1).broker.offsets.query(group, 'away', 0) === 10, 5_000, 'offset 10 on the slave');

    await c.node('broker-a', 0).stop();
    const fromSlave = await c.api.pull({ group, topic: 'away', queueId: 0, offset: 10, maxMessages: 32 });
    expect(fromSlave.messages.map((m) => m.body.toString())).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 10)));
    await c.api.commitOffset({ group, topic: 'away', queueId: 0, offset: 30 });
    expect(c.node('broker-a', 1).broker.offsets.query(group, 'away', 0)).toBe(30);
    // writes have nowhere to go meanwhile
    await expect(c.api.send({ message: { topic: 'away', body: Buffer.from('no') } })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });

    const master = await c.restart('broker-a', 0);
    // a returning master does not hand the old position back: the slave gives it what it learned
    await waitFor(() => master.broker.offsets.query(group, 'away', 0) === 30, 5_000, 'the master took the slave\'s offset');
    await waitFor(async () => c.api.view.masterAddress('broker-a') !== undefined, 5_000, 'the master in the route');
    expect(await c.api.queryOffset({ group, topic: 'away', queueId: 0 })).toBe(30);
    // and a later sync from the master does not roll the slave back
    await new Promise((r) => setTimeout(r, 500));
    expect(c.node('broker-a', 1).broker.offsets.query(group, 'away', 0)).toBe(30);
    const sent = await c.api.send({ message: { topic: 'away', body: Buffer.from('back') } });
    expect(sent.queueOffset).toBe(30);
  });
});
