/**
 * Offset-based consumption over the RocketMQ endpoint (RocketMQ 5's PullConsumer RPCs):
 * QueryOffset (BEGINNING, END, TIMESTAMP), PullMessage (a stream: status, messages,
 * next_offset; long polling; tag filter; an offset out of range), UpdateOffset and
 * GetOffset on the kernel's consumer offsets, the PULL_CONSUMER settings handshake, and
 * bad input. The Node.js client has no PullConsumer, so a raw gRPC client built from the
 * same .proto files speaks for the Java one.
 */
import { Metadata, credentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { messagingService } from '../../../src/adapters/rocketmq/proto.js';
import { rawClient, rawMessage, startRocketMq, type RawClient, type RocketMqHarness } from './helpers.js';

const TOPIC = 'pull-topic';

describe('RocketMQ endpoint: PullMessage and offsets', () => {
  let h: RocketMqHarness;
  let raw: RawClient;
  beforeAll(async () => {
    h = await startRocketMq();
    await h.kernel.client.admin.createTopic({ topic: TOPIC, queueCount: 1 });
    raw = rawClient(h.endpoints, 'pull-client');
    const tags = ['a', 'b', 'a', 'c', 'a'];
    const res = await raw.unary('SendMessage', { messages: tags.map((tag, i) => rawMessage(TOPIC, `m${i}`, { tag }, { n: String(i) })) });
    expect(res.status.code).toBe('OK');
  });
  afterAll(async () => {
    raw.close();
    await h.close();
  });

  const queue = (id = 0, topic = TOPIC): Record<string, unknown> => ({ topic: { name: topic }, id });
  const pull = (request: Record<string, unknown>): Promise<any[]> =>
    raw.stream('PullMessage', { group: { name: 'pullers' }, messageQueue: queue(), batchSize: 32, ...request });

  test('QueryOffset: the queue\'s first and next offsets, and by store time', async () => {
    const offset = async (request: Record<string, unknown>): Promise<number> => {
      const res = await raw.unary('QueryOffset', { messageQueue: queue(), ...request });
      expect(res.status.code).toBe('OK');
      return res.offset;
    };
    expect(await offset({ queryOffsetPolicy: 'BEGINNING' })).toBe(0);
    expect(await offset({ queryOffsetPolicy: 'END' })).toBe(5);
    expect(await offset({ queryOffsetPolicy: 'TIMESTAMP', timestamp: { seconds: 0 } })).toBe(0);
    expect(await offset({ queryOffsetPolicy: 'TIMESTAMP', timestamp: { seconds: Math.floor(Date.now() / 1000) + 3_600 } })).toBe(5);
  });

  test('PullMessage: status, the messages from the offset in queue order, then next_offset', async () => {
    const first = await pull({ offset: 0, batchSize: 3 });
    expect(first[0].status.code).toBe('OK');
    const messages = first.filter((r) => r.content === 'message').map((r) => r.message);
    expect(messages.map((m) => [m.body.toString(), m.systemProperties.tag, m.systemProperties.queueOffset, m.userProperties.n]))
      .toEqual([['m0', 'a', 0, '0'], ['m1', 'b', 1, '1'], ['m2', 'a', 2, '2']]);
    expect(messages[0].systemProperties.receiptHandle).toBeUndefined();
    expect(messages[0].systemProperties.bodyDigest.checksum).toEqual(expect.any(String));
    expect(first.at(-1)).toMatchObject({ content: 'nextOffset', nextOffset: 3 });

    const rest = await pull({ offset: 3 });
    expect(rest.filter((r) => r.message).map((r) => r.message.body.toString())).toEqual(['m3', 'm4']);
    expect(rest.at(-1).nextOffset).toBe(5);
  });

  test('PullMessage at the end: MESSAGE_NOT_FOUND after the wait; a long poll returns once a message arrives', async () => {
    const empty = await pull({ offset: 5 });
    expect(empty.map((r) => r.content)).toEqual(['status', 'nextOffset']);
    expect(empty[0].status.code).toBe('MESSAGE_NOT_FOUND');
    expect(empty[1].nextOffset).toBe(5);

    const waiting = pull({ offset: 5, longPollingTimeout: { seconds: 8 } });
    await raw.unary('SendMessage', { messages: [rawMessage(TOPIC, 'late', { tag: 'd' })] });
    const got = await waiting;
    expect(got[0].status.code).toBe('OK');
    expect(got.filter((r) => r.message).map((r) => r.message.body.toString())).toEqual(['late']);
    expect(got.at(-1).nextOffset).toBe(6);
  });

  test('PullMessage with a tag filter skips the other tags and still moves next_offset past them', async () => {
    const res = await pull({ offset: 0, filterExpression: { type: 'TAG', expression: 'a' } });
    expect(res.filter((r) => r.message).map((r) => r.message.body.toString())).toEqual(['m0', 'm2', 'm4']);
    expect(res.at(-1).nextOffset).toBeGreaterThanOrEqual(5);
  });

  test('PullMessage beyond the queue: ILLEGAL_OFFSET with the queue\'s range, next_offset a valid one', async () => {
    const res = await pull({ offset: 1_000 });
    expect(res[0].status).toEqual({ code: 'ILLEGAL_OFFSET', message: expect.stringContaining('0 to 6') });
    expect(res.at(-1).nextOffset).toBe(6);
  });

  test('UpdateOffset and GetOffset: the group\'s progress on the queue, shared with the kernel\'s offsets', async () => {
    const group = { name: 'offset-group' };
    const start = await raw.unary('GetOffset', { group, messageQueue: queue() });
    expect(start.status.code).toBe('OK');
    expect(start.offset).toEqual(expect.any(Number));
    expect((await raw.unary('UpdateOffset', { group, messageQueue: queue(), offset: 3 })).status.code).toBe('OK');
    expect(await raw.unary('GetOffset', { group, messageQueue: queue() })).toMatchObject({ status: { code: 'OK' }, offset: 3 });
    expect(await h.kernel.client.brokerApi.queryOffset({ group: 'offset-group', topic: TOPIC, queueId: 0 })).toBe(3);
  });

  test('bad input: unknown topic, queue id out of range, negative offset, batch size 0', async () => {
    expect((await pull({ messageQueue: queue(0, 'no-such-topic') }))[0].status.code).toBe('TOPIC_NOT_FOUND');
    expect((await pull({ messageQueue: queue(7) }))[0].status).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('queue id must be 0 to 0') });
    expect((await pull({ offset: -1 }))[0].status.code).toBe('ILLEGAL_OFFSET');
    expect((await pull({ offset: 0, batchSize: 0 }))[0].status.code).toBe('BAD_REQUEST');
    expect((await raw.unary('UpdateOffset', { group: { name: 'g' }, messageQueue: queue(), offset: -5 })).status.code).toBe('ILLEGAL_OFFSET');
    expect((await raw.unary('QueryOffset', { messageQueue: queue(), queryOffsetPolicy: 'TIMESTAMP' })).status.code).toBe('BAD_REQUEST');
    expect((await raw.unary('GetOffset', { group: { name: 'bad/group' }, messageQueue: queue() })).status.code).toBe('ILLEGAL_CONSUMER_GROUP');
  });

  test('a PULL_CONSUMER\'s settings are accepted: its group joins the kernel', async () => {
    const Service = messagingService();
    const client = new Service(h.endpoints, credentials.createInsecure()) as unknown as { Telemetry(md: Metadata): ClientDuplexStream<any, any>; close(): void };
    const md = new Metadata();
    md.set('x-mq-client-id', 'pull-consumer-1');
    const stream = client.Telemetry(md);
    try {
      const answer = new Promise<any>((resolve, reject) => {
        stream.on('data', resolve);
        stream.on('error', reject);
      });
      stream.write({
        settings: {
          clientType: 'PULL_CONSUMER',
          subscription: { group: { name: 'pull-consumers' }, subscriptions: [{ topic: { name: TOPIC }, expression: { type: 'TAG', expression: '*' } }] },
        },
      });
      const command = await answer;
      expect(command.status.code).toBe('OK');
      expect(command.settings.clientType).toBe('PULL_CONSUMER');
      expect(await h.kernel.client.brokerApi.groupMembers('pull-consumers')).toEqual(['pull-consumer-1']);
    } finally {
      stream.cancel();
      client.close();
    }
  });
});
