/**
 * gRPC Message ↔ kernel Message without sockets (message-map.ts): every mapped field both
 * ways, first-class fields carried as reserved user properties, namespaces, and the codes
 * bad input gets.
 */
import { createHash } from 'node:crypto';
import type { StoredMessage } from '../../../src/kernel/index.js';
import { RocketMqError } from '../../../src/adapters/rocketmq/errors.js';
import { grpcResource, kernelName, messageFromGrpc, messageToGrpc, MessageType } from '../../../src/adapters/rocketmq/message-map.js';
import type { GrpcMessage } from '../../../src/adapters/rocketmq/proto.js';

const NOW = 1_800_000_000_000;
const ctx = { maxMessageSize: 1024, now: NOW };

function grpc(system: GrpcMessage['systemProperties'] = {}, userProperties: Record<string, string> = {}, body = 'payload'): GrpcMessage {
  return { topic: { name: 'orders' }, body: Buffer.from(body), userProperties, systemProperties: { messageId: 'ID-1', messageType: 'NORMAL', ...system } };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof RocketMqError) return err.code;
    throw err;
  }
  throw new Error('no error');
}

function stored(overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    topic: 'orders', body: Buffer.from('hello'), msgId: 'MSG-1', offsetMsgId: 'OFF', queueId: 3, queueOffset: 42, commitLogOffset: 1000,
    storeSize: 100, storeTimestamp: NOW + 5, bornTimestamp: NOW, reconsumeTimes: 0, sysFlag: 0, flag: 0, preparedTransactionOffset: 0, ...overrides,
  };
}

describe('gRPC message → kernel message', () => {
  test('tag, keys, user properties, message id, born time', () => {
    const { message, type } = messageFromGrpc(grpc({ tag: 'created', keys: ['a', 'b'], bornTimestamp: { seconds: NOW / 1000 - 1, nanos: 5e6 } }, { color: 'blue' }), ctx);
    expect(type).toBe(MessageType.Normal);
    expect(message).toEqual({
      topic: 'orders', body: Buffer.from('payload'), tag: 'created', keys: ['a', 'b'], uniqueId: 'ID-1', bornTimestamp: NOW - 995, properties: { color: 'blue' },
    });
  });

  test('message group is the sharding key; a future delivery timestamp is deliverAt, a past one delivers now', () => {
    expect(messageFromGrpc(grpc({ messageType: 'FIFO', messageGroup: 'g-1' }), ctx).message.shardingKey).toBe('g-1');
    const delayed = messageFromGrpc(grpc({ messageType: 'DELAY', deliveryTimestamp: { seconds: NOW / 1000 + 60 } }), ctx);
    expect(delayed).toMatchObject({ type: 'DELAY', message: { deliverAt: NOW + 60_000 } });
    expect(messageFromGrpc(grpc({ messageType: 'DELAY', deliveryTimestamp: { seconds: NOW / 1000 - 60 } }), ctx).message.deliverAt).toBeUndefined();
  });

  test('reserved names that carry first-class fields map to them; born host and trace context are namespaced', () => {
    const { message } = messageFromGrpc(grpc({ bornHost: 'host-1', traceContext: 'tc' }, {
      CONTENT_TYPE: 'application/json', CORRELATION_ID: 'c-1', REPLY_TO: 'answers', EXPIRE_AT: String(NOW + 1000), PATH: 'orders/created/eu', x: 'y',
    }), ctx);
    expect(message).toMatchObject({
      contentType: 'application/json', correlationId: 'c-1', replyTo: 'answers', expireAt: NOW + 1000, path: 'orders/created/eu', tag: 'created',
      properties: { x: 'y', 'rocketmq.bornHost': 'host-1', 'rocketmq.traceContext': 'tc' },
    });
  });

  test('a namespace prefixes the topic as RocketMQ does', () => {
    expect(messageFromGrpc({ ...grpc(), topic: { resourceNamespace: 'ns1', name: 'orders' } }, ctx).message.topic).toBe('ns1%orders');
    expect(kernelName({ name: 'orders' }, 'ns2')).toBe('ns2%orders');
    expect(grpcResource('ns1%orders', 'ns1')).toEqual({ resourceNamespace: 'ns1', name: 'orders' });
    expect(grpcResource('orders', 'ns1')).toEqual({ resourceNamespace: '', name: 'orders' });
  });

  test('bad input: each gets its RocketMQ code', () => {
    expect(codeOf(() => messageFromGrpc(grpc({}, {}, 'x'.repeat(1025)), ctx))).toBe('MESSAGE_BODY_TOO_LARGE');
    expect(codeOf(() => messageFromGrpc(grpc({}, {}, ''), ctx))).toBe('MESSAGE_BODY_EMPTY');
    for (const tag of ['', ' ', '*', 'a||b', 'a/b', 'a+b', 'a#b', 'a\u0001']) expect(codeOf(() => messageFromGrpc(grpc({ tag }), ctx))).toBe('ILLEGAL_MESSAGE_TAG');
    expect(codeOf(() => messageFromGrpc(grpc({ keys: ['a b'] }), ctx))).toBe('ILLEGAL_MESSAGE_KEY');
    expect(codeOf(() => messageFromGrpc(grpc({}, { KEYS: 'x' }), ctx))).toBe('ILLEGAL_MESSAGE_PROPERTY_KEY');
    expect(codeOf(() => messageFromGrpc(grpc({}, { __secret: 'x' }), ctx))).toBe('ILLEGAL_MESSAGE_PROPERTY_KEY');
    expect(codeOf(() => messageFromGrpc(grpc({}, { EXPIRE_AT: 'soon' }), ctx))).toBe('ILLEGAL_MESSAGE_PROPERTY_KEY');
    expect(codeOf(() => messageFromGrpc(grpc({}, { PATH: 'other/x' }), ctx))).toBe('ILLEGAL_MESSAGE_PROPERTY_KEY');
    expect(codeOf(() => messageFromGrpc(grpc({ tag: 'a' }, { PATH: 'orders/b' }), ctx))).toBe('ILLEGAL_MESSAGE_TAG');
    expect(codeOf(() => messageFromGrpc(grpc({ messageType: 'FIFO' }), ctx))).toBe('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE');
    expect(codeOf(() => messageFromGrpc(grpc({ messageType: 'TRANSACTION', messageGroup: 'g' }), ctx))).toBe('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE');
    expect(codeOf(() => messageFromGrpc(grpc({ messageType: 'NORMAL', deliveryTimestamp: { seconds: NOW / 1000 + 5 } }), ctx))).toBe('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE');
    expect(codeOf(() => messageFromGrpc(grpc({ messageType: 'FIFO', messageGroup: '' }), ctx))).toBe('ILLEGAL_MESSAGE_GROUP');
    expect(codeOf(() => messageFromGrpc(grpc({ messageType: 'DELAY', deliveryTimestamp: { seconds: NOW / 1000 + 41 * 86_400 } }), ctx))).toBe('ILLEGAL_DELIVERY_TIME');
    expect(codeOf(() => messageFromGrpc(grpc({ messageId: 'has space' }), ctx))).toBe('ILLEGAL_MESSAGE_ID');
    expect(codeOf(() => messageFromGrpc(grpc({ messageType: 'LITE' }), ctx))).toBe('UNSUPPORTED');
    expect(codeOf(() => messageFromGrpc(grpc({ priority: 10 }), ctx))).toBe('BAD_REQUEST');
    expect(codeOf(() => messageFromGrpc({ ...grpc(), topic: { name: '' } }, ctx))).toBe('ILLEGAL_TOPIC');
  });
});

describe('kernel message → gRPC message', () => {
  test('what the proxy writes: ids, digest, queue position, delivery attempt, receipt handle', () => {
    const out = messageToGrpc(stored({
      tag: 'created', keys: ['k'], properties: { color: 'blue', 'rocketmq.bornHost': 'h1' }, shardingKey: 'g', reconsumeTimes: 2, priority: 4,
    }), { storeHost: 'broker-a', receiptHandle: 'RH', invisibleMs: 30_000 });
    expect(out).toEqual({
      topic: { resourceNamespace: '', name: 'orders' },
      userProperties: { color: 'blue' },
      body: Buffer.from('hello'),
      systemProperties: {
        tag: 'created', keys: ['k'], messageId: 'MSG-1', messageType: 'FIFO', messageGroup: 'g', priority: 4,
        bodyDigest: { type: 'MD5', checksum: createHash('md5').update('hello').digest('hex').toUpperCase() }, bodyEncoding: 'IDENTITY',
        bornTimestamp: { seconds: NOW / 1000, nanos: 0 }, bornHost: 'h1', storeTimestamp: { seconds: NOW / 1000, nanos: 5e6 }, storeHost: 'broker-a',
        queueId: 3, queueOffset: 42, deliveryAttempt: 3, receiptHandle: 'RH', invisibleDuration: { seconds: 30, nanos: 0 },
      },
    });
  });

  test('first-class fields become reserved user properties, and come back the same', () => {
    const out = messageToGrpc(stored({ contentType: 'text/plain', correlationId: 'c', replyTo: 'r', expireAt: NOW + 9, path: 'orders/x/y', tag: 'x' }), { storeHost: 'b' });
    expect(out.userProperties).toEqual({ CONTENT_TYPE: 'text/plain', CORRELATION_ID: 'c', REPLY_TO: 'r', EXPIRE_AT: String(NOW + 9), PATH: 'orders/x/y' });
    const back = messageFromGrpc({ ...out, systemProperties: { ...out.systemProperties, messageType: 'NORMAL' } }, { maxMessageSize: 1024, now: NOW });
    expect(back.message).toMatchObject({ contentType: 'text/plain', correlationId: 'c', replyTo: 'r', expireAt: NOW + 9, path: 'orders/x/y', tag: 'x', uniqueId: 'MSG-1' });
  });

  test('message types: delayed, transactional commit; dead letters name their origin', () => {
    expect(messageToGrpc(stored({ deliverAt: NOW + 1 }), { storeHost: 'b' }).systemProperties!.messageType).toBe('DELAY');
    expect(messageToGrpc(stored({ sysFlag: 0x8 }), { storeHost: 'b' }).systemProperties!.messageType).toBe('TRANSACTION');
    const dead = messageToGrpc(stored({ topic: '%DLQ%g', systemProperties: { DLQ_ORIGIN_TOPIC: 'orders', ORIGIN_MESSAGE_ID: 'MSG-0' } }), { storeHost: 'b' });
    expect(dead.systemProperties!.deadLetterQueue).toEqual({ topic: 'orders', messageId: 'MSG-0' });
  });
});
