import { messageFromSend, messageHeaders } from '../../../src/adapters/stomp/headers.js';
import { parseDestination } from '../../../src/adapters/stomp/destination.js';
import { StompError, StompErrorCode } from '../../../src/adapters/stomp/errors.js';
import { makeFrame } from '../../../src/adapters/stomp/frame.js';
import type { StoredMessage } from '../../../src/kernel/index.js';

const NOW = 1_700_000_000_000;
const dest = (raw: string) => parseDestination(raw, 'conn');

function mapSend(headers: Record<string, string>, body: Buffer | string = '') {
  return messageFromSend(makeFrame('SEND', headers, body), { destination: dest(headers.destination ?? '/queue/q'), replyTo: headers['reply-to'], now: NOW });
}

function errorOf(fn: () => unknown): StompError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StompError);
    return err as StompError;
  }
  throw new Error('expected a StompError');
}

describe('SEND headers → Message (DESIGN.md §5)', () => {
  test('JMS headers keep their meaning as first-class fields', () => {
    const m = mapSend({
      destination: '/topic/orders/created', 'content-type': 'application/json', priority: '7', expires: String(NOW + 5000),
      'reply-to': '/queue/replies', 'correlation-id': 'c-1', JMSXGroupID: 'g-1', keys: 'k1,x  k2 k3',
    }, '{"a":1}');
    expect(m).toMatchObject({
      topic: 'orders', tag: 'created', contentType: 'application/json', priority: 7, expireAt: NOW + 5000,
      replyTo: '/queue/replies', correlationId: 'c-1', shardingKey: 'g-1', keys: ['k1,x', 'k2', 'k3'], bornTimestamp: NOW,
    });
    expect(m.body.toString()).toBe('{"a":1}');
    expect(m.properties).toBeUndefined();
  });

  test('other headers (type, persistent, custom) become properties; frame-control headers do not', () => {
    const m = mapSend({ destination: '/queue/q', type: 'order', persistent: 'true', 'x-custom': 'v', receipt: '1', transaction: 't', 'content-length': '0' });
    expect(m.properties).toEqual({ type: 'order', persistent: 'true', 'x-custom': 'v' });
  });

  test('expires 0 means never (JMS)', () => {
    expect(mapSend({ expires: '0' }).expireAt).toBeUndefined();
  });

  test('deliverAt and AMQ_SCHEDULED_DELAY schedule the message', () => {
    expect(mapSend({ deliverAt: String(NOW + 100) }).deliverAt).toBe(NOW + 100);
    expect(mapSend({ AMQ_SCHEDULED_DELAY: '2500' }).deliverAt).toBe(NOW + 2500);
  });

  test('levels 3+ go to path', () => {
    expect(mapSend({ destination: '/topic/a/b/c' })).toMatchObject({ topic: 'a', tag: 'b', path: 'a/b/c' });
  });

  test('invalid priority, expires or reserved header names are refused with INVALID_HEADER', () => {
    expect(errorOf(() => mapSend({ priority: '10' })).code).toBe(StompErrorCode.InvalidHeader);
    expect(errorOf(() => mapSend({ priority: 'high' })).code).toBe(StompErrorCode.InvalidHeader);
    expect(errorOf(() => mapSend({ expires: 'soon' })).code).toBe(StompErrorCode.InvalidHeader);
    expect(errorOf(() => mapSend({ KEYS: 'x' })).code).toBe(StompErrorCode.InvalidHeader);
    expect(errorOf(() => mapSend({ __secret: 'x' })).code).toBe(StompErrorCode.InvalidHeader);
  });

  test('binary bodies are kept byte for byte', () => {
    const body = Buffer.from([0, 255, 1, 0]);
    expect(mapSend({}, body).body.equals(body)).toBe(true);
  });
});

describe('Message → MESSAGE headers (STOMP 1.2 §MESSAGE)', () => {
  const stored: StoredMessage = {
    topic: 'orders', tag: 'created', body: Buffer.from('x'), msgId: 'MSG1', offsetMsgId: 'OFF1', queueId: 1, queueOffset: 5, commitLogOffset: 0,
    storeSize: 0, storeTimestamp: NOW, bornTimestamp: NOW - 1, reconsumeTimes: 2, sysFlag: 0, flag: 0, preparedTransactionOffset: 0,
    contentType: 'text/plain', priority: 3, expireAt: NOW + 1, replyTo: '/queue/r', correlationId: 'c', shardingKey: 'g',
    keys: ['a', 'b'], properties: { type: 'order', destination: 'spoofed', 'x-custom': 'v' },
  };

  test('protocol headers, JMS headers, redelivery and properties', () => {
    const h = Object.fromEntries(messageHeaders(stored, { destination: '/queue/orders/created', subscriptionId: 's1', ackId: '9' }));
    expect(h).toEqual({
      destination: '/queue/orders/created', 'message-id': 'MSG1', subscription: 's1', ack: '9', 'content-type': 'text/plain',
      redelivered: 'true', 'delivery-count': '3', timestamp: String(NOW - 1), expires: String(NOW + 1), priority: '3',
      'reply-to': '/queue/r', 'correlation-id': 'c', JMSXGroupID: 'g', keys: 'a b', type: 'order', 'x-custom': 'v',
    });
  });

  test('no ack header in auto mode; a first delivery is not redelivered', () => {
    const h = messageHeaders({ ...stored, reconsumeTimes: 0 }, { destination: '/topic/orders/created', subscriptionId: 's', ackId: undefined });
    expect(h.has('ack')).toBe(false);
    expect(h.get('redelivered')).toBe('false');
    expect(h.get('delivery-count')).toBe('1');
  });
});
