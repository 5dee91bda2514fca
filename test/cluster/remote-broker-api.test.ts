/**
 * RemoteBrokerApi's cluster behaviour beyond the BrokerApi contract: the queue layout over
 * broker groups, send spreading, send-back to the group that holds the message, failover
 * of sends with latency fault tolerance, the layout fence, and receipt handles that work
 * from another gateway node.
 */
import { ConsumeFrom, FilterType, MessageModel } from '../../src/kernel/index.js';
import { LatencyFaultTolerance } from '../../src/cluster/client/latency-fault-tolerance.js';
import { QueueLayout } from '../../src/cluster/client/queue-layout.js';
import { spread } from '../../src/cluster/client/remote-topics.js';
import { waitFor } from '../helpers/kernel.js';
import { startCluster, type ClusterFixture } from './helpers/cluster-fixture.js';

describe('queue layout and fault tolerance (units)', () => {
  test('groups are laid end to end by broker name; ids map both ways', () => {
    const layout = QueueLayout.fromRoute('t', {
      queueDatas: [
        { brokerName: 'b', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 },
        { brokerName: 'a', readQueueNums: 2, writeQueueNums: 1, perm: 6, topicSysFlag: 0 },
        { brokerName: 'c', readQueueNums: 3, writeQueueNums: 3, perm: 4, topicSysFlag: 0 },
      ],
      brokerDatas: ['a', 'b', 'c'].map((n) => ({ brokerName: n, cluster: 'x', brokerAddrs: { 0: `${n}:1` }, enableActingMaster: false })),
      filterServerTable: {},
    });
    expect(layout.total).toBe(9);
    expect(layout.signature).toBe('a:2,b:4,c:3');
    expect(layout.locate(0)).toEqual({ brokerName: 'a', queueId: 0 });
    expect(layout.locate(2)).toEqual({ brokerName: 'b', queueId: 0 });
    expect(layout.locate(8)).toEqual({ brokerName: 'c', queueId: 2 });
    expect(layout.locate(9)).toBeUndefined();
    expect(layout.globalId('b', 3)).toBe(5);
    // write queues: a's first one, all of b's, none of read-only c
    expect(layout.writeQueues(() => true)).toEqual([0, 2, 3, 4, 5]);
    expect(layout.writeQueues((n) => n !== 'b')).toEqual([0]);
  });

  test('a topic\'s queues are spread evenly; a one-queue topic lives on one group', () => {
    expect([...spread('x', 8, ['a', 'b'])].map(([, n]) => n)).toEqual([4, 4]);
    expect([...spread('x', 7, ['a', 'b', 'c'])].reduce((s, [, n]) => s + n, 0)).toBe(7);
    expect(spread('x', 1, ['a', 'b', 'c']).size).toBe(1);
  });

  test('latency fault tolerance: slow or failed groups are avoided for the configured time', () => {
    let now = 1_000;
    const f = new LatencyFaultTolerance({ now: () => now });
    f.update('fast', 10);
    f.update('slow', 600);
    f.update('dead', 5, true);
    expect(f.isAvailable('fast')).toBe(true);
    expect(f.isAvailable('slow')).toBe(false);
    expect(f.isAvailable('dead')).toBe(false);
    now += 30_000;
    expect(f.isAvailable('slow')).toBe(true);
    expect(f.isAvailable('dead')).toBe(false);
    now += 600_000;
    expect(f.isAvailable('dead')).toBe(true);
    f.update('dead', 5, true);
    expect(f.pickOneAtLeast(['dead'])).toBe('dead');
  });
});

describe('RemoteBrokerApi over two broker groups', () => {
  let c: ClusterFixture;
  beforeEach(async () => {
    c = await startCluster({ groups: [{ name: 'broker-a' }, { name: 'broker-b' }] });
  });
  afterEach(async () => {
    await c.close();
  });

  test('a created topic is split over both groups; round-robin sends fill both', async () => {
    await c.api.createTopic({ topic: 'split', queueCount: 8 });
    expect(c.node('broker-a').broker.topics.get('split')?.queueCount).toBe(4);
    expect(c.node('broker-b').broker.topics.get('split')?.queueCount).toBe(4);
    // plain round robin: a slow send on a loaded machine must not make the client avoid a group
    const api = c.newApi({ faultTolerance: { notAvailableMs: [0, 0, 0, 0, 0, 0, 0] } });
    const results = [];
    try {
      for (let i = 0; i < 16; i++) results.push(await api.send({ message: { topic: 'split', body: Buffer.from(String(i)) } }));
    } finally {
      await api.close();
    }
    expect(new Set(results.map((r) => r.queueId)).size).toBe(8);
    expect(c.node('broker-a').broker.topicStats('split')?.messageCount).toBe(8);
    expect(c.node('broker-b').broker.topicStats('split')?.messageCount).toBe(8);
    // global ids 0-3 are broker-a's, 4-7 broker-b's
    const onB = results.find((r) => r.queueId >= 4)!;
    const stored = await c.node('broker-b').broker.pull({ group: 'x', topic: 'split', queueId: onB.queueId - 4, offset: onB.queueOffset, maxMessages: 1 });
    expect(stored.messages[0]!.msgId).toBe(onB.msgId);
  });

  test('an auto-created topic gets the default queue count in total, over both groups', async () => {
    await c.api.send({ message: { topic: 'auto', body: Buffer.from('x') } });
    expect((await c.api.getTopic('auto'))?.queueCount).toBe(4);
    expect(c.node('broker-a').broker.topics.get('auto')?.queueCount).toBe(2);
    expect(c.node('broker-b').broker.topics.get('auto')?.queueCount).toBe(2);
  });

  test('sendBack goes to the group that stores the message', async () => {
    await c.api.createTopic({ topic: 'sb', queueCount: 4 });
    const group = 'sb-group';
    await c.api.heartbeat({ clientId: 'c', group, messageModel: MessageModel.Clustering, consumeFrom: ConsumeFrom.First, subscriptions: [{ topic: 'sb', filter: { type: FilterType.Tag, expression: '*' } }] });
    const onA = await c.api.send({ message: { topic: 'sb', body: Buffer.from('on a') }, queueId: 0 });
    const onB = await c.api.send({ message: { topic: 'sb', body: Buffer.from('on b') }, queueId: 2 });
    // same commit log offset on both brokers: the queue decides
    expect(onA.commitLogOffset).toBe(onB.commitLogOffset);
    await c.api.sendBack({ group, commitLogOffset: onB.commitLogOffset, topic: 'sb', queueId: 2, maxReconsumeTimes: 0 });
    expect(c.node('broker-b').broker.topicStats(`%DLQ%${group}`)?.messageCount).toBe(1);
    expect(c.node('broker-a').broker.topicStats(`%DLQ%${group}`)).toBeUndefined();
    const [dead] = (await c.node('broker-b').broker.pull({ group: 'x', topic: `%DLQ%${group}`, queueId: 0, offset: 0, maxMessages: 1 })).messages;
    expect(dead?.body.toString()).toBe('on b');
    // the heartbeat made the retry topic on both groups: its layout is stable
    expect((await c.api.getTopic(`%RETRY%${group}`))?.queueCount).toBe(2);
  });

  test('a group whose master stops: sends move to the other group, none fails', async () => {
    await c.api.createTopic({ topic: 'failover', queueCount: 8 });
    for (let i = 0; i < 8; i++) await c.api.send({ message: { topic: 'failover', body: Buffer.alloc(1) } });
    await c.node('broker-b').stop();
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await c.api.send({ message: { topic: 'failover', body: Buffer.from(String(i)) } }));
    expect(results.every((r) => r.queueId < 4)).toBe(true);
    // a keyed message of a non-ordered topic moves too while its home group is away
    const keyed = await c.api.send({ message: { topic: 'failover', body: Buffer.alloc(1), shardingKey: 'k-on-b-maybe' } });
    expect(keyed.queueId).toBeLessThan(4);
  });

  test('the layout fence: a queue id that names another queue now makes the pull answer resetTo', async () => {
    await c.api.createTopic({ topic: 'grow', queueCount: 1 });
    const home = (await c.api.topicStats('grow'))!;
    expect(home.queues).toHaveLength(1);
    await c.api.send({ message: { topic: 'grow', body: Buffer.from('a') }, queueId: 0 });
    const group = 'fence';
    expect(await c.api.queryOffset({ group, topic: 'grow', queueId: 0 })).toBe(0);
    const first = await c.api.pull({ group, topic: 'grow', queueId: 0, offset: 0, maxMessages: 8 });
    expect(first.messages).toHaveLength(1);
    // the topic appears on the other group too (an admin, another node's auto-create ...)
    const other = c.nodes.find((n) => !n.broker.topics.get('grow'))!;
    await other.broker.createTopic({ topic: 'grow', queueCount: 1 });
    await other.server.registerNow();
    await waitFor(async () => (await c.api.getTopic('grow'))?.queueCount === 2, 5_000, 'the new layout');
    await c.api.commitOffset({ group, topic: 'grow', queueId: 0, offset: 1 });
    const fenced = await c.api.pull({ group, topic: 'grow', queueId: 0, offset: 1, maxMessages: 8 });
    expect(fenced.resetTo).toBeDefined();
    expect(fenced.messages).toEqual([]);
  });

  test('a receipt handle popped on one gateway node is acked on another', async () => {
    await c.api.createTopic({ topic: 'handles', queueCount: 4 });
    await c.api.send({ message: { topic: 'handles', body: Buffer.from('h') } });
    const other = c.newApi();
    const [m] = (await c.api.pop({ group: 'hg', topic: 'handles', maxMessages: 1, invisibleMs: 30_000, waitMs: 2_000, consumeFrom: ConsumeFrom.First })).messages;
    expect(m?.body.toString()).toBe('h');
    await other.ackMessage({ group: 'hg', receiptHandle: m!.receiptHandle });
    expect((await other.groupLag('hg')).every((l) => l.lag === 0)).toBe(true);
  });
});
