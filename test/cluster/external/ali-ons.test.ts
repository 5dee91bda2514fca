/**
 * An external RocketMQ 4 remoting client we did not write, against our nameserver and
 * broker: the npm package `ali-ons` (Node.js, speaks RocketMQ's remoting protocol; given
 * `nameSrv` it skips Aliyun's address server, and it needs an `httpclient`, which it then
 * never calls). Route lookup, send, pull with a tag filter, offsets, rebalance over two
 * consumers, and a retry through CONSUMER_SEND_MSG_BACK. When it disagrees with us, our
 * side is fixed, never the client.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../../helpers/kernel.js';
import { startCluster, type ClusterFixture } from '../helpers/cluster-fixture.js';

interface OnsMessage {
  body: Buffer;
  tags: string;
  msgId: string;
  queueId: number;
  queueOffset: number;
  reconsumeTimes: number;
}
interface OnsSendResult { sendStatus: string; msgId: string; messageQueue: { brokerName: string; queueId: number | string }; queueOffset: number }
interface OnsProducer { ready(): Promise<void>; send(m: unknown): Promise<OnsSendResult>; close(): Promise<void>; on(event: 'error', listener: (err: Error) => void): void }
interface OnsConsumer {
  ready(): Promise<void>;
  subscribe(topic: string, tags: string, handler: (m: OnsMessage) => Promise<void>): void;
  close(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): void;
  readonly processQueueTable?: Map<string, unknown>;
}
interface Ons {
  Producer: new (o: Record<string, unknown>) => OnsProducer;
  Consumer: new (o: Record<string, unknown>) => OnsConsumer;
  Message: new (topic: string, tags: string, body: string | Buffer) => unknown;
}

const ons = createRequire(import.meta.url)('ali-ons') as Ons;
/** ali-ons asks for an HTTP client to reach Aliyun's address server; with nameSrv it never calls it */
const httpclient = { request: async (): Promise<never> => { throw new Error('no address server here: nameSrv is given'); } };

describe('ali-ons (a RocketMQ 4 client we did not write) against our nameserver and broker', () => {
  let c: ClusterFixture;
  let home: string;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    c = await startCluster({ groups: [{ name: 'broker-a' }] });
    home = mkdtempSync(path.join(tmpdir(), 'ali-ons-'));
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await c.close();
    rmSync(home, { recursive: true, force: true });
  });

  const common = (): Record<string, unknown> => ({
    httpclient, nameSrv: c.nameServers[0]!.address, logger: quiet, persistConsumerOffsetInterval: 200, rebalanceInterval: 300,
    heartbeatBrokerInterval: 500, pollNameServerInteval: 500, storeDir: home,
  });

  /** created on the broker, and known to the nameserver (registration follows a topic change at once) */
  async function createTopic(topic: string): Promise<void> {
    await c.api.createTopic({ topic, queueCount: 4 });
    await waitFor(() => c.nameServers[0]!.routes.pickupTopicRouteData(topic) !== undefined, 5_000, `the route of ${topic}`);
  }

  async function producer(group: string): Promise<OnsProducer> {
    const p = new ons.Producer({ ...common(), producerGroup: group, instanceName: `p-${group}` });
    p.on('error', () => undefined); // reconnect attempts while the cluster stops at the end
    await p.ready();
    closers.push(async () => {
      await p.close();
      p.on('error', () => undefined); // close() drops the listeners, errors already scheduled still come
      await stopSharedClient(p);
    });
    return p;
  }

  function consumer(group: string, instance: string, extra: Record<string, unknown> = {}): OnsConsumer {
    const consumer = new ons.Consumer({ ...common(), consumerGroup: group, instanceName: instance, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', ...extra });
    consumer.on('error', () => undefined);
    closers.push(async () => {
      await consumer.close();
      consumer.on('error', () => undefined);
      await stopSharedClient(consumer);
    });
    return consumer;
  }

  test('send: route lookup, SEND_OK with the queue and offset the broker stored it at', async () => {
    // ali-ons takes TOPIC_NOT_EXIST as an error (the Java client falls back to TBW102): the topic comes first
    await createTopic('ons-send');
    const p = await producer('PG_SEND');
    const result = await p.send(new ons.Message('ons-send', 'TagA', 'hello from ali-ons'));
    expect(result.sendStatus).toBe('SEND_OK');
    expect(result.messageQueue.brokerName).toBe('broker-a');
    // the client keeps the header's queueId as it came: a string
    const stored = await c.node('broker-a').broker.pull({ group: 'x', topic: 'ons-send', queueId: Number(result.messageQueue.queueId), offset: result.queueOffset, maxMessages: 1 });
    expect(stored.messages[0]?.body.toString()).toBe('hello from ali-ons');
    expect(stored.messages[0]?.tag).toBe('TagA');
  });

  test('consume with a tag filter; offsets committed; a failed message comes back through the retry topic', async () => {
    await createTopic('ons-consume');
    const p = await producer('PG_CONSUME');
    for (let i = 0; i < 20; i++) await p.send(new ons.Message('ons-consume', i % 2 === 0 ? 'even' : 'odd', `m${i}`));
    const got: Array<{ body: string; tags: string; reconsumeTimes: number }> = [];
    const consumerA = consumer('CG_ONS', 'ca');
    consumerA.subscribe('ons-consume', 'even', async (m) => {
      got.push({ body: m.body.toString(), tags: m.tags, reconsumeTimes: m.reconsumeTimes });
      if (m.body.toString() === 'm4' && m.reconsumeTimes === 0) throw new Error('fail once');
    });
    await consumerA.ready();
    await waitFor(() => got.filter((g) => g.body === 'm4').length >= 2, 20_000, 'm4 retried');
    await waitFor(() => new Set(got.map((g) => g.body)).size === 10, 10_000, 'the 10 even messages');
    expect(got.every((g) => g.tags === 'even')).toBe(true);
    expect(got.find((g) => g.body === 'm4' && g.reconsumeTimes === 1)).toBeDefined();
    await waitFor(async () => (await c.api.groupLag('CG_ONS')).filter((l) => l.topic === 'ons-consume').reduce((n, l) => n + l.consumerOffset, 0) === 20, 10_000, 'offsets committed');
  });

  test('rebalance: two consumers of one group split the queues', async () => {
    await createTopic('ons-rebalance');
    const seen = new Map<string, string>();
    const members = [consumer('CG_REBALANCE', 'r1'), consumer('CG_REBALANCE', 'r2')];
    for (const [i, m] of members.entries()) {
      m.subscribe('ons-rebalance', '*', async (msg) => {
        seen.set(msg.body.toString(), `member-${i}`);
      });
      await m.ready();
    }
    await waitFor(async () => (await c.api.groupMembers('CG_REBALANCE')).length === 2, 10_000, 'two members');
    await new Promise((r) => setTimeout(r, 1_000));
    const p = await producer('PG_REBALANCE');
    for (let i = 0; i < 40; i++) await p.send(new ons.Message('ons-rebalance', 'x', `r${i}`));
    await waitFor(() => seen.size === 40, 15_000, 'all 40');
    expect(new Set(seen.values()).size).toBe(2);
  });
});

/**
 * ali-ons shares one MQClient per client id and closes it only when no producer or consumer
 * is registered; a consumer's inner producer stays registered, so its polling loops would
 * outlive the test: stop them (the client's own close, with its tables emptied)
 */
async function stopSharedClient(owner: OnsProducer | OnsConsumer): Promise<void> {
  const client = (owner as unknown as { _mqClient?: { _consumerTable: Map<string, unknown>; _producerTable: Map<string, unknown>; close(): Promise<void> } })._mqClient;
  if (!client) return;
  client._consumerTable.clear();
  client._producerTable.clear();
  await client.close().catch(() => undefined);
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
