import type { StoredMessage } from '../../../src/kernel/index.js';
import {
  encodeName, groupNames, levelsMatch, messageLevels, parseDestination, remoteTempDestination, tempTopic,
} from '../../../src/adapters/stomp/destination.js';
import { StompError, StompErrorCode } from '../../../src/adapters/stomp/errors.js';

const stored = (m: Partial<StoredMessage>): StoredMessage => ({
  topic: 't', body: Buffer.alloc(0), msgId: 'id', offsetMsgId: 'id', queueId: 0, queueOffset: 0, commitLogOffset: 0, storeSize: 0,
  storeTimestamp: 0, bornTimestamp: 0, reconsumeTimes: 0, sysFlag: 0, flag: 0, preparedTransactionOffset: 0, ...m,
});

function errorOf(fn: () => unknown): StompError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StompError);
    return err as StompError;
  }
  throw new Error('expected a StompError');
}

describe('destination mapping (DESIGN.md §5)', () => {
  test('/queue/X: level 1 is the kernel topic, level 2 the tag', () => {
    expect(parseDestination('/queue/orders', 'c1')).toMatchObject({ kind: 'queue', topic: 'orders', tag: undefined, levels: ['orders'], path: undefined });
    expect(parseDestination('/queue/orders/created', 'c1')).toMatchObject({ topic: 'orders', tag: 'created', path: undefined });
  });

  test('/topic/X with levels 3+: the full path travels in path', () => {
    expect(parseDestination('/topic/orders/created/eu', 'c1')).toMatchObject({
      kind: 'topic', topic: 'orders', tag: 'created', levels: ['orders', 'created', 'eu'], path: 'orders/created/eu',
    });
  });

  test('unknown prefixes, empty names and empty levels are refused', () => {
    expect(errorOf(() => parseDestination('orders', 'c')).code).toBe(StompErrorCode.InvalidDestination);
    expect(errorOf(() => parseDestination('/queue/', 'c')).code).toBe(StompErrorCode.InvalidDestination);
    expect(errorOf(() => parseDestination('/topic/a//b', 'c')).code).toBe(StompErrorCode.InvalidDestination);
    expect(errorOf(() => parseDestination(undefined, 'c')).code).toBe(StompErrorCode.MissingHeader);
  });

  test('/temp-queue/NAME is scoped to its connection', () => {
    const a = parseDestination('/temp-queue/replies', 'conn-a');
    const b = parseDestination('/temp-queue/replies', 'conn-b');
    expect(a.kind).toBe('temp-queue');
    expect(a.topic).not.toBe(b.topic);
    expect(a.topic).toBe(tempTopic('conn-a', 'replies'));
    const remote = parseDestination(remoteTempDestination(a.topic), 'conn-b');
    expect(remote).toMatchObject({ kind: 'remote-temp-queue', topic: a.topic });
    // only names of temporary queues are reachable through /remote-temp-queue/
    expect(errorOf(() => parseDestination('/remote-temp-queue/orders', 'c')).code).toBe(StompErrorCode.InvalidDestination);
  });

  test('group names: shared for a queue, own per topic subscription, named when durable', () => {
    const q = parseDestination('/queue/orders/created', 'c');
    expect(groupNames.queue(q)).toBe('stomp-queue-orders%2Fcreated');
    expect(groupNames.queue(parseDestination('/queue/orders', 'c'))).toBe('stomp-queue-orders');
    expect(groupNames.topic('abc', 3)).toBe('stomp-topic-abc-3');
    expect(groupNames.durable('client-1', 'sub/a')).toBe('stomp-durable-client-1-sub%2Fa');
  });

  test('kernel names never hold / + # or control characters, and stay distinct', () => {
    expect(encodeName('a/b+c#d%e\u0001')).toBe('a%2Fb%2Bc%23d%25e%01');
    expect(encodeName('a/b')).not.toBe(encodeName('a%2Fb'));
    const long = groupNames.durable('c'.repeat(200), 'n');
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(110);
    expect(long).not.toBe(groupNames.durable('c'.repeat(199), 'n'));
  });

  test('message levels: path when it starts with the topic, else topic/tag', () => {
    expect(messageLevels(stored({ topic: 'orders', tag: 'created' }))).toEqual(['orders', 'created']);
    expect(messageLevels(stored({ topic: 'orders' }))).toEqual(['orders']);
    expect(messageLevels(stored({ topic: 'orders', tag: 'created', path: 'orders/created/eu' }))).toEqual(['orders', 'created', 'eu']);
    expect(messageLevels(stored({ topic: 'orders', tag: 'created', path: '/topic/orders/created/eu' }))).toEqual(['orders', 'created', 'eu']);
  });

  test('a subscription receives exactly its own levels', () => {
    expect(levelsMatch(['orders', 'created'], ['orders', 'created'])).toBe(true);
    expect(levelsMatch(['orders'], ['orders', 'created'])).toBe(false);
    expect(levelsMatch(['orders', 'created'], ['orders', 'created', 'eu'])).toBe(false);
  });
});
