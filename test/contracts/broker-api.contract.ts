/**
 * The BrokerApi contract (STYLE.md §5): one suite, run unchanged against every
 * implementation: EmbeddedBrokerApi (broker-api-embedded.test.ts) and RemoteBrokerApi
 * over a TCP cluster of a nameserver and two broker groups (broker-api-remote.test.ts).
 * It speaks only BrokerApi and the kernel client built on it, never a broker's insides,
 * and assumes nothing of how many brokers stand behind the API: queue ids are the API's.
 *
 * The broker(s) behind the API run with fast timers: retry backoff about 100 ms, long
 * polls of at most 5 s.
 */
import {
  ConsumeFrom, ConsumeStatus, FilterType, GetStatus, KernelErrorCode, MessageModel, TransactionResolution, type BrokerApi, type PushConsumer,
} from '../../src/kernel/index.js';
import { DefaultKernelClient } from '../../src/kernel/client/kernel-client.js';
import { waitFor } from '../helpers/kernel.js';

export interface BrokerApiUnderTest {
  api: BrokerApi;
  close(): Promise<void>;
}

let seq = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++seq}`;

export function brokerApiContract(name: string, start: () => Promise<BrokerApiUnderTest>): void {
  describe(`BrokerApi contract: ${name}`, () => {
    let it: BrokerApiUnderTest;
    let api: BrokerApi;
    beforeAll(async () => {
      it = await start();
      api = it.api;
    });
    afterAll(async () => {
      await it.close();
    });

    test('topics: create, get, list, stats, delete', async () => {
      const topic = unique('topic');
      const created = await api.createTopic({ topic, queueCount: 4 });
      expect(created).toMatchObject({ topic, queueCount: 4, order: false });
      expect(await api.getTopic(topic)).toMatchObject({ topic, queueCount: 4 });
      expect((await api.listTopics()).map((t) => t.topic)).toContain(topic);
      for (let q = 0; q < 4; q++) await api.send({ message: { topic, body: Buffer.from(`m${q}`) }, queueId: q });
      const stats = await api.topicStats(topic);
      expect(stats?.messageCount).toBe(4);
      expect(stats?.queues.map((q) => [q.queueId, q.maxOffset])).toEqual([[0, 1], [1, 1], [2, 1], [3, 1]]);
      expect(await api.deleteTopic(topic)).toBe(true);
      await waitFor(async () => (await api.getTopic(topic)) === undefined, 5_000, 'the topic gone');
      expect(await api.topicStats(unique('never'))).toBeUndefined();
    });

    test('send then pull returns the message with every field, at the queue and offset the send named', async () => {
      const topic = unique('fields');
      const sent = await api.send({
        message: {
          topic, body: Buffer.from('héllo'), tag: 'created', keys: ['k1', 'k2'], properties: { color: 'red', région: 'eu' },
          contentType: 'text/plain', correlationId: 'c-1', replyTo: 'answers', path: 'fields/created/x', priority: 7, producerGroup: 'pg',
        },
      });
      expect(sent.topic).toBe(topic);
      const pulled = await api.pull({ group: unique('reader'), topic, queueId: sent.queueId, offset: sent.queueOffset, maxMessages: 1 });
      expect(pulled.status).toBe(GetStatus.Found);
      const m = pulled.messages[0]!;
      expect(m).toMatchObject({
        msgId: sent.msgId, topic, queueId: sent.queueId, queueOffset: sent.queueOffset, commitLogOffset: sent.commitLogOffset, tag: 'created', keys: ['k1', 'k2'],
        properties: { color: 'red', région: 'eu' }, contentType: 'text/plain', correlationId: 'c-1', replyTo: 'answers', path: 'fields/created/x', priority: 7, reconsumeTimes: 0,
      });
      expect(m.body.toString()).toBe('héllo');
      expect(pulled.nextBeginOffset).toBe(sent.queueOffset + 1);
      expect((await api.viewMessage(sent.msgId))?.body.toString()).toBe('héllo');
      expect((await api.queryMessagesByKey({ topic, key: 'k2' })).map((x) => x.msgId)).toEqual([sent.msgId]);
    });

    test('a batch lands in one queue in order; a sharding key always picks the same queue; no key spreads', async () => {
      const topic = unique('batch');
      await api.createTopic({ topic, queueCount: 4 });
      const batch = await api.sendBatch({ topic, messages: [1, 2, 3].map((i) => ({ topic, body: Buffer.from(String(i)), shardingKey: 'k' })) });
      expect(new Set(batch.map((r) => r.queueId)).size).toBe(1);
      expect(batch.map((r) => r.queueOffset)).toEqual([0, 1, 2].map((i) => batch[0]!.queueOffset + i));
      const keyed = await Promise.all(Array.from({ length: 10 }, () => api.send({ message: { topic, body: Buffer.alloc(1), shardingKey: 'device-7' } })));
      expect(new Set(keyed.map((r) => r.queueId)).size).toBe(1);
      const spread = [];
      for (let i = 0; i < 8; i++) spread.push(await api.send({ message: { topic, body: Buffer.alloc(1) } }));
      expect(new Set(spread.map((r) => r.queueId)).size).toBe(4);
      const pulled = await api.pull({ group: unique('g'), topic, queueId: batch[0]!.queueId, offset: batch[0]!.queueOffset, maxMessages: 3 });
      expect(pulled.messages.map((m) => m.body.toString())).toEqual(['1', '2', '3']);
    });

    test('bad input is refused with the kernel code', async () => {
      await expect(api.send({ message: { topic: 'a/b', body: Buffer.alloc(0) } })).rejects.toMatchObject({ code: KernelErrorCode.InvalidTopic });
      await expect(api.send({ message: { topic: unique('t'), body: Buffer.alloc(0), properties: { TAGS: 'x' } } })).rejects.toMatchObject({ code: KernelErrorCode.InvalidProperty });
      await expect(api.send({ message: { topic: unique('none'), body: Buffer.alloc(0) }, noAutoCreate: true })).rejects.toMatchObject({ code: KernelErrorCode.TopicNotFound });
      const topic = unique('q');
      await api.createTopic({ topic, queueCount: 2 });
      await expect(api.send({ message: { topic, body: Buffer.alloc(0) }, queueId: 9 })).rejects.toMatchObject({ code: KernelErrorCode.InvalidQueue });
      await expect(api.pull({ group: 'g', topic, queueId: 0, offset: 0, maxMessages: 1, filter: { type: FilterType.Sql92, expression: 'a = = 1' } })).rejects.toMatchObject({ code: KernelErrorCode.InvalidFilter });
    });

    test('long polling: a pull parks until a message arrives', async () => {
      const topic = unique('lp');
      await api.createTopic({ topic, queueCount: 1 });
      const started = Date.now();
      const parked = api.pull({ group: unique('g'), topic, queueId: 0, offset: 0, maxMessages: 4, suspendMs: 4_000 });
      await new Promise((r) => setTimeout(r, 200));
      await api.send({ message: { topic, body: Buffer.from('late') } });
      const result = await parked;
      expect(result.messages.map((m) => m.body.toString())).toEqual(['late']);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    test('offsets: a new group starts as asked, commits are read back, search by time, lag', async () => {
      const topic = unique('off');
      await api.createTopic({ topic, queueCount: 2 });
      for (let i = 0; i < 3; i++) await api.send({ message: { topic, body: Buffer.alloc(1) }, queueId: 1 });
      const group = unique('g');
      await api.heartbeat({ clientId: 'c1', group, messageModel: MessageModel.Clustering, consumeFrom: ConsumeFrom.First, subscriptions: [{ topic, filter: { type: FilterType.Tag, expression: '*' } }] });
      expect(await api.queryOffset({ group, topic, queueId: 1 })).toBe(0);
      await api.commitOffset({ group, topic, queueId: 1, offset: 2 });
      expect(await api.queryOffset({ group, topic, queueId: 1 })).toBe(2);
      const lag = await api.groupLag(group);
      expect(lag).toContainEqual({ topic, queueId: 1, brokerOffset: 3, consumerOffset: 2, lag: 1 });
      expect(await api.searchOffset({ topic, queueId: 1, timestamp: 0 })).toBe(0);
      expect(await api.searchOffset({ topic, queueId: 1, timestamp: Date.now() + 60_000 })).toBe(3);
      const reset = await api.resetOffset({ group, topic, timestamp: 0 });
      expect(reset.find((l) => l.queueId === 1)).toMatchObject({ consumerOffset: 0, brokerOffset: 3 });
      expect(await api.queryOffset({ group, topic, queueId: 1 })).toBe(0);
      const last = unique('g');
      await api.heartbeat({ clientId: 'c2', group: last, messageModel: MessageModel.Clustering, consumeFrom: ConsumeFrom.Last, subscriptions: [] });
      expect(await api.queryOffset({ group: last, topic, queueId: 1 })).toBe(3);
    });

    test('heartbeats: members, group info, unregister, delete', async () => {
      const group = unique('members');
      const hb = (clientId: string) => api.heartbeat({ clientId, group, messageModel: MessageModel.Clustering, consumeFrom: ConsumeFrom.Last, subscriptions: [], protocol: 'test' });
      await hb('b-client');
      await hb('a-client');
      expect(await api.groupMembers(group)).toEqual(['a-client', 'b-client']);
      const info = await api.getGroup(group);
      expect(info).toMatchObject({ group, messageModel: MessageModel.Clustering, consumeFrom: ConsumeFrom.Last });
      expect(info!.members.map((m) => [m.clientId, m.protocol])).toEqual([['a-client', 'test'], ['b-client', 'test']]);
      expect((await api.listGroups()).map((g) => g.group)).toContain(group);
      await api.unregisterClient({ clientId: 'b-client', group });
      expect(await api.groupMembers(group)).toEqual(['a-client']);
      expect(await api.deleteGroup(group)).toBe(true);
      expect(await api.getGroup(group)).toBeUndefined();
    });

    test('orderly locks: one member holds a queue until it unlocks', async () => {
      const topic = unique('locks');
      await api.createTopic({ topic, queueCount: 4 });
      const group = unique('g');
      expect(await api.lockQueues({ group, clientId: 'a', topic, queueIds: [0, 1, 2, 3] })).toEqual([0, 1, 2, 3]);
      expect(await api.lockQueues({ group, clientId: 'b', topic, queueIds: [1, 3] })).toEqual([]);
      await api.unlockQueues({ group, clientId: 'a', topic, queueIds: [3] });
      expect(await api.lockQueues({ group, clientId: 'b', topic, queueIds: [1, 3] })).toEqual([3]);
    });

    test('pop, ack, change invisibility, nack: each message settled once by its receipt handle', async () => {
      const topic = unique('pop');
      await api.createTopic({ topic, queueCount: 4 });
      const group = unique('g');
      for (let i = 0; i < 6; i++) await api.send({ message: { topic, body: Buffer.from(`p${i}`) } });
      const popped = [];
      const deadline = Date.now() + 5_000;
      while (popped.length < 6 && Date.now() < deadline) {
        popped.push(...(await api.pop({ group, topic, maxMessages: 6 - popped.length, invisibleMs: 20_000, waitMs: 500, consumeFrom: ConsumeFrom.First })).messages);
      }
      popped.sort((a, b) => a.body.toString().localeCompare(b.body.toString()));
      expect(popped.map((m) => m.body.toString())).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
      expect((await api.pop({ group, topic, maxMessages: 6, invisibleMs: 20_000 })).messages).toEqual([]);
      for (const m of popped.slice(0, 4)) await api.ackMessage({ group, receiptHandle: m.receiptHandle });
      await expect(api.ackMessage({ group, receiptHandle: popped[0]!.receiptHandle })).rejects.toMatchObject({ code: KernelErrorCode.InvalidReceiptHandle });
      const changed = await api.changeInvisibleTime({ group, receiptHandle: popped[4]!.receiptHandle, invisibleMs: 0 });
      await expect(api.ackMessage({ group, receiptHandle: popped[4]!.receiptHandle })).rejects.toMatchObject({ code: KernelErrorCode.InvalidReceiptHandle });
      await api.nackMessage({ group, receiptHandle: popped[5]!.receiptHandle, delayMs: 0 });
      // both come again (through the group's retry topic), with one more reconsume
      const again = [];
      const until = Date.now() + 8_000;
      while (again.length < 2 && Date.now() < until) again.push(...(await api.pop({ group, topic, maxMessages: 2, invisibleMs: 20_000, waitMs: 1_000 })).messages);
      expect(again.map((m) => m.body.toString()).sort()).toEqual(['p4', 'p5']);
      expect(again.map((m) => m.reconsumeTimes)).toEqual([1, 1]);
      for (const m of again) await api.ackMessage({ group, receiptHandle: m.receiptHandle });
      expect(changed.receiptHandle).not.toBe(popped[4]!.receiptHandle);
    });

    test('pop long polling answers soon after a send', async () => {
      const topic = unique('poplp');
      await api.createTopic({ topic, queueCount: 4 });
      const group = unique('g');
      expect((await api.pop({ group, topic, maxMessages: 1, invisibleMs: 10_000 })).messages).toEqual([]);
      const started = Date.now();
      const waiting = api.pop({ group, topic, maxMessages: 4, invisibleMs: 10_000, waitMs: 4_000 });
      await new Promise((r) => setTimeout(r, 300));
      await api.send({ message: { topic, body: Buffer.from('wake') } });
      const got = await waiting;
      expect(got.messages.map((m) => m.body.toString())).toEqual(['wake']);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    test('sendBack: to the retry topic, then the dead-letter topic, and re-driven from there', async () => {
      const topic = unique('retry');
      await api.createTopic({ topic, queueCount: 2 });
      const group = unique('g');
      await api.heartbeat({ clientId: 'c', group, messageModel: MessageModel.Clustering, consumeFrom: ConsumeFrom.First, subscriptions: [{ topic, filter: { type: FilterType.Tag, expression: '*' } }] });
      const sent = await api.send({ message: { topic, body: Buffer.from('fails') }, queueId: 1 });
      const back = await api.sendBack({ group, commitLogOffset: sent.commitLogOffset, topic, queueId: 1, delayMs: 0 });
      expect(back.topic).toBe(`%RETRY%${group}`);
      const dead = await api.sendBack({ group, commitLogOffset: sent.commitLogOffset, topic, queueId: 1, maxReconsumeTimes: 0 });
      expect(dead.topic).toBe(`%DLQ%${group}`);
      const redriven = await api.redriveDlq({ group });
      expect(redriven).toMatchObject({ redriven: 1, failed: 0, remaining: 0 });
      const stats = await api.topicStats(topic);
      expect(stats?.messageCount).toBe(2);
    });

    test('transactions: a half message is invisible until committed; a rollback is never seen', async () => {
      const topic = unique('tx');
      await api.createTopic({ topic, queueCount: 2 });
      const commit = await api.sendHalfMessage({ message: { topic, body: Buffer.from('yes') }, producerGroup: 'txp' });
      const rollback = await api.sendHalfMessage({ message: { topic, body: Buffer.from('no') }, producerGroup: 'txp' });
      expect((await api.topicStats(topic))?.messageCount).toBe(0);
      const done = await api.endTransaction({ producerGroup: 'txp', transactionId: commit.transactionId, commitLogOffset: commit.commitLogOffset, resolution: 'COMMIT' });
      expect(done.resolution).toBe('COMMIT');
      await api.endTransaction({ producerGroup: 'txp', transactionId: rollback.transactionId, commitLogOffset: rollback.commitLogOffset, resolution: 'ROLLBACK' });
      const q = done.sendResult!.queueId;
      const pulled = await api.pull({ group: unique('g'), topic, queueId: q, offset: 0, maxMessages: 8 });
      expect(pulled.messages.map((m) => m.body.toString())).toEqual(['yes']);
      await expect(api.endTransaction({ producerGroup: 'txp', transactionId: commit.transactionId, resolution: 'COMMIT' })).rejects.toMatchObject({ code: KernelErrorCode.TransactionNotFound });
    });

    test('transaction check-back: an unresolved half is asked about and the answer settles it', async () => {
      const client = new DefaultKernelClient(api);
      const topic = unique('txcheck');
      await api.createTopic({ topic, queueCount: 2 });
      const producer = client.createProducer({ group: unique('txp'), checkTransaction: async () => TransactionResolution.Commit, transactionCheckPollMs: 500 });
      try {
        await producer.sendTransactional({ topic, body: Buffer.from('decided later') }, async () => TransactionResolution.Unknown);
        await waitFor(async () => (await api.topicStats(topic))?.messageCount === 1, 10_000, 'the checked transaction committed');
      } finally {
        await producer.shutdown();
      }
    });

    test('kernel client: producer and a clustering group of push consumers consume every message once, over every queue', async () => {
      const client = new DefaultKernelClient(api);
      const topic = unique('push');
      await client.admin.createTopic({ topic, queueCount: 8 });
      const group = unique('g');
      const seen = new Map<string, number>();
      const consumers: PushConsumer[] = [];
      for (let i = 0; i < 2; i++) {
        const c = client.createPushConsumer({ group, consumeFrom: ConsumeFrom.First, rebalanceIntervalMs: 200, heartbeatIntervalMs: 300, pullSuspendMs: 1_000 });
        consumers.push(c);
        c.subscribe(topic, '*');
        await c.start(async (m) => {
          seen.set(m.body.toString(), (seen.get(m.body.toString()) ?? 0) + 1);
          return ConsumeStatus.Success;
        });
      }
      try {
        await waitFor(() => {
          const assigned = consumers.flatMap((c) => c.assignedQueues().filter((q) => q.topic === topic).map((q) => q.queueId));
          return assigned.length === 8 && new Set(assigned).size === 8 && consumers.every((c) => c.assignedQueues().some((q) => q.topic === topic));
        }, 10_000, 'a settled rebalance');
        const producer = client.createProducer();
        for (let i = 0; i < 200; i++) await producer.send({ topic, body: Buffer.from(String(i)) });
        await waitFor(() => seen.size === 200, 15_000, '200 messages');
        await new Promise((r) => setTimeout(r, 300));
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
        await waitFor(async () => (await api.groupLag(group)).filter((l) => l.topic === topic).every((l) => l.lag === 0), 5_000, 'lag 0');
      } finally {
        await Promise.all(consumers.map((c) => c.shutdown(100)));
      }
    });

    test('kernel client: a failed message comes back through the retry topic', async () => {
      const client = new DefaultKernelClient(api);
      const topic = unique('again');
      await client.admin.createTopic({ topic, queueCount: 4 });
      const attempts: number[] = [];
      const c = client.createPushConsumer({ group: unique('g'), consumeFrom: ConsumeFrom.First, rebalanceIntervalMs: 200, pullSuspendMs: 500 });
      c.subscribe(topic);
      await c.start(async (m) => {
        attempts.push(m.reconsumeTimes);
        expect(m.topic).toBe(topic);
        return m.reconsumeTimes === 0 ? ConsumeStatus.ReconsumeLater : ConsumeStatus.Success;
      });
      try {
        await client.createProducer().send({ topic, body: Buffer.from('x') });
        await waitFor(() => attempts.length >= 2, 10_000, 'the retry');
        expect(attempts.slice(0, 2)).toEqual([0, 1]);
      } finally {
        await c.shutdown(100);
      }
    });
  });
}
