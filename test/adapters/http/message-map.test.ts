import { HttpError } from '../../../src/adapters/http/errors.js';
import { messageFromJson, messageFromRaw, messageView } from '../../../src/adapters/http/message-map.js';
import type { StoredMessage } from '../../../src/kernel/index.js';

const NOW = 1_700_000_000_000;

function failure(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('JSON publish → kernel Message (DESIGN.md §5, HTTP column)', () => {
  it('maps every field', () => {
    const m = messageFromJson('orders', {
      body: 'hello', tag: 'created', keys: ['o-1'], properties: { region: 'eu' }, contentType: 'text/plain', shardingKey: 'cust-7',
      delayMs: 1000, ttlMs: 60_000, priority: 4, correlationId: 'c', replyTo: 'r',
    }, NOW);
    expect(m).toEqual({
      topic: 'orders', body: Buffer.from('hello'), bornTimestamp: NOW, tag: 'created', keys: ['o-1'], properties: { region: 'eu' },
      contentType: 'text/plain', shardingKey: 'cust-7', deliverAt: NOW + 1000, expireAt: NOW + 60_000, priority: 4, correlationId: 'c', replyTo: 'r',
    });
  });

  it('decodes base64 bodies and refuses malformed base64', () => {
    expect(messageFromJson('t', { body: 'AAH/', encoding: 'base64' }, NOW).body).toEqual(Buffer.from([0, 1, 255]));
    expect(failure(() => messageFromJson('t', { body: 'not base64!', encoding: 'base64' }, NOW)).details).toEqual([expect.objectContaining({ path: '/body' })]);
  });

  it('sends a non-string body as JSON text with contentType application/json', () => {
    const m = messageFromJson('t', { body: { a: [1, 2] } }, NOW);
    expect(m.body.toString()).toBe('{"a":[1,2]}');
    expect(m.contentType).toBe('application/json');
  });

  it('takes the tag from the second level of `path` and checks the first is the topic', () => {
    expect(messageFromJson('orders', { body: '', path: 'orders/created/eu' }, NOW)).toMatchObject({ tag: 'created', path: 'orders/created/eu' });
    expect(failure(() => messageFromJson('orders', { body: '', path: 'other/x' }, NOW)).details).toEqual([expect.objectContaining({ path: '/path' })]);
    expect(failure(() => messageFromJson('orders', { body: '', path: 'orders/a', tag: 'b' }, NOW)).message).toMatch(/differs from tag/);
  });

  it('deliverAt accepts epoch ms or a date-time and excludes delayMs', () => {
    expect(messageFromJson('t', { body: '', deliverAt: '2030-01-01T00:00:00Z' }, NOW).deliverAt).toBe(Date.parse('2030-01-01T00:00:00Z'));
    expect(messageFromJson('t', { body: '', deliverAt: NOW + 5 }, NOW).deliverAt).toBe(NOW + 5);
    expect(failure(() => messageFromJson('t', { body: '', deliverAt: NOW, delayMs: 1 }, NOW, '/2')).details).toEqual([expect.objectContaining({ path: '/2/deliverAt' })]);
  });

  it('refuses reserved property names with INVALID_PROPERTY and the path', () => {
    const e = failure(() => messageFromJson('t', { body: '', properties: { KEYS: 'x' } }, NOW));
    expect(e.code).toBe('INVALID_PROPERTY');
    expect(e.details).toEqual([expect.objectContaining({ path: '/properties/KEYS' })]);
    expect(failure(() => messageFromJson('t', { body: '', properties: { __x: 'y' } }, NOW)).code).toBe('INVALID_PROPERTY');
  });
});

describe('raw publish headers → kernel Message', () => {
  it('maps X-Message-* headers and keeps the content type', () => {
    const m = messageFromRaw('sensors', Buffer.from([1, 2, 3]), 'application/octet-stream', {
      'x-message-tag': 'temp', 'x-message-keys': 'a, b', 'x-message-property-unit': 'celsius', 'x-message-sharding-key': 'dev-1',
      'x-message-ttl-ms': '500', 'x-message-delay-ms': '10', 'x-message-priority': '9',
    }, NOW);
    expect(m).toEqual({
      topic: 'sensors', body: Buffer.from([1, 2, 3]), contentType: 'application/octet-stream', bornTimestamp: NOW, tag: 'temp', keys: ['a', 'b'],
      properties: { unit: 'celsius' }, shardingKey: 'dev-1', deliverAt: NOW + 10, expireAt: NOW + 500, priority: 9,
    });
  });

  it('reads UTF-8 header values that Node handed over as latin1', () => {
    const latin1 = Buffer.from('grün', 'utf8').toString('latin1');
    expect(messageFromRaw('t', Buffer.alloc(0), 'text/plain', { 'x-message-property-color': latin1 }, NOW).properties).toEqual({ color: 'grün' });
  });

  it('names the failing header', () => {
    expect(failure(() => messageFromRaw('t', Buffer.alloc(0), 'text/plain', { 'x-message-priority': '11' }, NOW)).details)
      .toEqual([expect.objectContaining({ in: 'header', path: '/x-message-priority' })]);
    expect(failure(() => messageFromRaw('t', Buffer.alloc(0), 'text/plain', { 'x-message-tag': 'a||b' }, NOW)).details)
      .toEqual([expect.objectContaining({ in: 'header', path: '/x-message-tag' })]);
    expect(failure(() => messageFromRaw('t', Buffer.alloc(0), 'text/plain', { 'x-message-property-__x': '1' }, NOW)).details)
      .toEqual([expect.objectContaining({ in: 'header', path: '/x-message-property-__x' })]);
  });
});

describe('kernel StoredMessage → MessageView', () => {
  const stored = (body: Buffer): StoredMessage => ({
    topic: 't', body, msgId: 'ID', offsetMsgId: 'ID', queueId: 1, queueOffset: 5, commitLogOffset: 0, storeSize: 0, storeTimestamp: 2, bornTimestamp: 1,
    reconsumeTimes: 0, sysFlag: 0, flag: 0, preparedTransactionOffset: 0, tag: 'x',
  } as StoredMessage);

  it('gives UTF-8 text when the bytes are valid UTF-8', () => {
    expect(messageView(stored(Buffer.from('héllo')))).toMatchObject({ body: 'héllo', encoding: 'utf8', tag: 'x', keys: [], properties: {} });
  });

  it('gives base64 otherwise', () => {
    expect(messageView(stored(Buffer.from([0xff, 0xfe, 0x00])))).toMatchObject({ body: '//4A', encoding: 'base64' });
  });
});
