/**
 * Bad input answered with RocketMQ's status codes and a message, affecting only that
 * request (or that entry of a batch): unknown topic with auto-create off, body over the
 * limit, invalid tag / key / property / type / delivery time, invalid filter, stale
 * receipt handle, unknown transaction, missing client id, and the RPCs this server does
 * not implement (gRPC UNIMPLEMENTED). A raw gRPC client from the same .proto files sends
 * what Apache's client would refuse to; the real client sees the limits it was told.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Producer } from 'rocketmq-client-nodejs';
import { ConsumeFrom } from '../../../src/kernel/index.js';
import { rawClient, rawMessage, quietLogger, shutdownAll, startClient, startRocketMq, type RawClient, type RocketMqHarness } from './helpers.js';

describe('RocketMQ endpoint: bad input', () => {
  let h: RocketMqHarness;
  let raw: RawClient;
  beforeAll(async () => {
    h = await startRocketMq({ kernel: { autoCreateTopics: false }, config: { autoCreateTopics: false, maxMessageSize: 1024 } });
    await h.kernel.client.admin.createTopic({ topic: 'known', queueCount: 2 });
    raw = rawClient(h.endpoints);
  });
  afterAll(async () => {
    raw.close();
    await h.close();
  });

  const send = (...messages: Array<Record<string, unknown>>): Promise<any> => raw.unary('SendMessage', { messages });
  const stored = async (topic: string): Promise<number> => (await h.kernel.client.admin.topicStats(topic))?.messageCount ?? 0;

  test('unknown topic with auto-create off: TOPIC_NOT_FOUND for the route and for a send', async () => {
    const route = await raw.unary('QueryRoute', { topic: { name: 'nope' } });
    expect(route.status).toEqual({ code: 'TOPIC_NOT_FOUND', message: expect.stringContaining('"nope" does not exist') });
    expect(route.messageQueues).toEqual([]);
    const res = await send(rawMessage('nope', 'x'));
    expect(res.entries[0].status.code).toBe('TOPIC_NOT_FOUND');
    expect(await h.kernel.client.admin.topicStats('nope')).toBeUndefined();
  });

  test('the real client: NotFoundException (40402) for an unknown topic, its body limit from the settings', async () => {
    const producer = await startClient(new Producer({ endpoints: h.endpoints, namespace: '', logger: quietLogger, topics: ['known'] }));
    try {
      await expect(producer.send({ topic: 'nope', body: Buffer.from('x') })).rejects.toMatchObject({ code: 40402 });
      // the settings handshake told it the server's limit: it refuses before sending
      await expect(producer.send({ topic: 'known', body: Buffer.alloc(2048) })).rejects.toThrow('max size=1024 bytes');
      const ok = await producer.send({ topic: 'known', body: Buffer.from('fits') });
      expect(ok.messageId).toBeTruthy();
    } finally {
      await shutdownAll([producer]);
    }
  });

  test('route of a known topic: its queues on this endpoint, read-write, every message type', async () => {
    const route = await raw.unary('QueryRoute', { topic: { name: 'known' }, endpoints: { scheme: 'IPv4', addresses: [{ host: 'gw.example', port: 9876 }] } });
    expect(route.status.code).toBe('OK');
    expect(route.messageQueues.map((q: any) => q.id)).toEqual([0, 1]);
    expect(route.messageQueues[0]).toMatchObject({
      topic: { name: 'known' }, permission: 'READ_WRITE', broker: { name: expect.any(String), id: 0, endpoints: { addresses: [{ host: 'gw.example', port: 9876 }] } },
      acceptMessageTypes: ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'PRIORITY'],
    });
  });

  test('each bad message fails its own entry with its code; the good one in the batch is stored', async () => {
    const before = await stored('known');
    const res = await send(
      rawMessage('known', Buffer.alloc(1025)),
      rawMessage('known', ''),
      rawMessage('known', 'x', { tag: 'a||b' }),
      rawMessage('known', 'x', { keys: ['has space'] }),
      rawMessage('known', 'x', {}, { UNIQ_KEY: 'mine' }),
      rawMessage('known', 'x', { messageType: 'FIFO' }),
      rawMessage('known', 'x', { messageType: 'DELAY', deliveryTimestamp: { seconds: Math.floor(Date.now() / 1000) + 90 * 86_400 } }),
      rawMessage('', 'x'),
      rawMessage('known', 'good one', { tag: 'fine' }),
    );
    expect(res.entries.map((e: any) => e.status.code)).toEqual([
      'MESSAGE_BODY_TOO_LARGE', 'MESSAGE_BODY_EMPTY', 'ILLEGAL_MESSAGE_TAG', 'ILLEGAL_MESSAGE_KEY', 'ILLEGAL_MESSAGE_PROPERTY_KEY',
      'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', 'ILLEGAL_DELIVERY_TIME', 'ILLEGAL_TOPIC', 'OK',
    ]);
    for (const e of res.entries.slice(0, -1)) expect(e.status.message).not.toBe('');
    expect(res.status.code).toBe('MULTIPLE_RESULTS');
    expect(await stored('known')).toBe(before + 1);
    const good = await h.kernel.client.admin.viewMessage(res.entries.at(-1).messageId);
    expect(good?.body.toString()).toBe('good one');
  });

  test('a gzip body is stored uncompressed; a broken one is MESSAGE_CORRUPTED', async () => {
    const { gzipSync } = await import('node:zlib');
    const res = await send(
      rawMessage('known', gzipSync(Buffer.from('compressed text')), { bodyEncoding: 'GZIP' }),
      rawMessage('known', Buffer.from('not gzip'), { bodyEncoding: 'GZIP' }),
      rawMessage('known', gzipSync(Buffer.alloc(4096, 1)), { bodyEncoding: 'GZIP' }),
    );
    expect(res.entries.map((e: any) => e.status.code)).toEqual(['OK', 'MESSAGE_CORRUPTED', 'MESSAGE_BODY_TOO_LARGE']);
    expect((await h.kernel.client.admin.viewMessage(res.entries[0].messageId))?.body.toString()).toBe('compressed text');
  });

  test('receive: invalid filter, missing invisible duration, bad group, zero batch', async () => {
    const receive = (overrides: Record<string, unknown>): Promise<any[]> => raw.stream('ReceiveMessage', {
      group: { name: 'g1' }, messageQueue: { topic: { name: 'known' }, id: 0 }, filterExpression: { type: 'TAG', expression: '*' },
      batchSize: 1, invisibleDuration: { seconds: 10 }, longPollingTimeout: { seconds: 0 }, ...overrides,
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ filterExpression: { type: 'SQL', expression: 'a = = 1' } }, 'ILLEGAL_FILTER_EXPRESSION'],
      [{ invisibleDuration: undefined }, 'ILLEGAL_INVISIBLE_TIME'],
      [{ group: { name: 'bad/group' } }, 'ILLEGAL_CONSUMER_GROUP'],
      [{ batchSize: 0 }, 'BAD_REQUEST'],
      [{ messageQueue: { topic: { name: 'nope' } } }, 'TOPIC_NOT_FOUND'],
    ];
    for (const [overrides, code] of cases) {
      const out = await receive(overrides);
      // status, then the delivery timestamp, as the proxy writes every answer
      expect(out).toEqual([{ status: { code, message: expect.any(String) }, content: 'status' }, { deliveryTimestamp: expect.any(Object), content: 'deliveryTimestamp' }]);
    }
    const empty = await receive({});
    expect(empty[0].status.code).toBe('MESSAGE_NOT_FOUND');
  });

  test('stale or forged receipt handles: INVALID_RECEIPT_HANDLE per entry', async () => {
    const consumer = h.kernel.client.createSimpleConsumer({ group: 'stale', consumeFrom: ConsumeFrom.First });
    const [m] = await consumer.receive({ topic: 'known', maxMessages: 1 });
    await consumer.ack(m!.receiptHandle);
    const res = await raw.unary('AckMessage', {
      group: { name: 'stale' }, topic: { name: 'known' }, entries: [{ messageId: m!.msgId, receiptHandle: m!.receiptHandle }, { messageId: 'x', receiptHandle: 'garbage' }],
    });
    expect(res.entries.map((e: any) => e.status.code)).toEqual(['INVALID_RECEIPT_HANDLE', 'INVALID_RECEIPT_HANDLE']);
    expect(res.status.code).toBe('INVALID_RECEIPT_HANDLE');
    const change = await raw.unary('ChangeInvisibleDuration', {
      group: { name: 'stale' }, topic: { name: 'known' }, receiptHandle: m!.receiptHandle, invisibleDuration: { seconds: 5 }, messageId: m!.msgId,
    });
    expect(change.status.code).toBe('INVALID_RECEIPT_HANDLE');
  });

  test('unknown transaction, missing resolution, missing client id', async () => {
    const end = await raw.unary('EndTransaction', { topic: { name: 'known' }, messageId: 'm', transactionId: 'no-such-tx', resolution: 'COMMIT', source: 'SOURCE_CLIENT' });
    expect(end.status.code).toBe('INVALID_TRANSACTION_ID');
    const unspecified = await raw.unary('EndTransaction', { topic: { name: 'known' }, transactionId: 'x' });
    expect(unspecified.status).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('COMMIT or ROLLBACK') });
    const anonymous = rawClient(h.endpoints, '');
    try {
      const res = await anonymous.unary('Heartbeat', { clientType: 'PRODUCER' });
      expect(res.status.code).toBe('CLIENT_ID_REQUIRED');
    } finally {
      anonymous.close();
    }
  });

  test('RPCs this server does not implement answer gRPC UNIMPLEMENTED with a message', async () => {
    for (const rpc of ['RecallMessage', 'SyncLiteSubscription']) {
      const err = await raw.grpcError(rpc, {});
      expect(err.code).toBe(GrpcStatus.UNIMPLEMENTED);
      expect(err.details).toContain(`${rpc} is not implemented by this server`);
    }
  });

  test('after all that, the same connection still sends and receives', async () => {
    const res = await send(rawMessage('known', 'still fine', { tag: 'after' }));
    expect(res.status.code).toBe('OK');
    const consumer = h.kernel.client.createSimpleConsumer({ group: 'after-check', consumeFrom: ConsumeFrom.First });
    const got = await consumer.receive({ topic: 'known', maxMessages: 64 });
    expect(got.map((m) => m.body.toString())).toContain('still fine');
  });
});
