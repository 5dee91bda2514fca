import { KernelErrorCode } from '../../../src/kernel/errors.js';
import type { StoredMessage } from '../../../src/kernel/message/message.js';
import { tagHash } from '../../../src/kernel/message/record-codec.js';
import { GetStatus, PutStatus } from '../../../src/kernel/store/results.js';
import { FlushMode, type DispatchRequest, type StoreFilter } from '../../../src/kernel/store/store-api.js';
import { bodies, msg, openTestStore, type StoreHarness } from './store-kit.js';

const tagFilter = (tag: string): StoreFilter => ({
  matchesTagsCode: (code) => code === tagHash(tag),
  matchesMessage: (m) => m.tag === tag,
});

describe('group commit', () => {
  it('sync mode answers 256 concurrent puts with a few batched fdatasyncs, not one per message', async () => {
    const h = await openTestStore({ flushMode: FlushMode.Sync });
    try {
      const puts = await Promise.all(Array.from({ length: 256 }, (_, i) => h.store.put(msg('gc', `m${i}`), { queueId: i % 4 })));
      expect(puts.map((p) => p.queueOffset).sort((a, b) => a - b).slice(0, 4)).toEqual([0, 0, 0, 0]);
      const { syncs, batches } = h.store.stats();
      expect(batches).toBeGreaterThanOrEqual(1);
      expect(syncs).toBe(batches);
      expect(syncs).toBeLessThanOrEqual(4);
      // every put resolved only once readable
      for (let q = 0; q < 4; q++) expect(h.store.maxOffset('gc', q)).toBe(64);
    } finally {
      await h.cleanup();
    }
  });
});

describe('MessageStore put/get', () => {
  let h: StoreHarness;
  beforeEach(async () => {
    h = await openTestStore();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('round-trips every field, empty and binary bodies, unicode text', async () => {
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const full = msg('orders', binary, {
      tag: 'créé-✓', keys: ['k1', 'ключ', '键'], properties: { 'x-emoji': '🚀 ok', city: 'Zürich' }, contentType: 'application/octet-stream',
      shardingKey: 'group-7', delayLevel: 3, deliverAt: 1_700_000_000_123, expireAt: 1_800_000_000_000, priority: 9, correlationId: 'corr-1',
      replyTo: 'replies', path: 'orders/created/eu', uniqueId: 'U-1', bornTimestamp: 1_600_000_000_000, producerGroup: 'pg',
      systemProperties: { RETRY_TOPIC: 'orig' },
    });
    const put = await h.store.put(full, { queueId: 2, sysFlag: 0, flag: 5, reconsumeTimes: 4, preparedTransactionOffset: 77, bornHost: '10.0.0.9', bornPort: 4321 });
    const empty = await h.store.put(msg('orders', Buffer.alloc(0)), { queueId: 2 });
    expect(put.status).toBe(PutStatus.Ok);
    expect([put.queueOffset, empty.queueOffset]).toEqual([0, 1]);

    const got = await h.store.get({ topic: 'orders', queueId: 2, offset: 0, maxMessages: 10 });
    expect(got.status).toBe(GetStatus.Found);
    expect(got.nextBeginOffset).toBe(2);
    const [a, b] = got.messages as [StoredMessage, StoredMessage];
    expect(a.body.equals(binary)).toBe(true);
    expect(a).toMatchObject({
      topic: 'orders', tag: 'créé-✓', keys: ['k1', 'ключ', '键'], properties: { 'x-emoji': '🚀 ok', city: 'Zürich' },
      contentType: 'application/octet-stream', shardingKey: 'group-7', delayLevel: 3, deliverAt: 1_700_000_000_123, expireAt: 1_800_000_000_000,
      priority: 9, correlationId: 'corr-1', replyTo: 'replies', path: 'orders/created/eu', uniqueId: 'U-1', bornTimestamp: 1_600_000_000_000,
      producerGroup: 'pg', systemProperties: { RETRY_TOPIC: 'orig' }, queueId: 2, queueOffset: 0, commitLogOffset: put.commitLogOffset,
      msgId: 'U-1', offsetMsgId: expect.stringMatching(/^7F0000010000.{20}$/), storeSize: put.storeSize, storeTimestamp: put.storeTimestamp, reconsumeTimes: 4, flag: 5, preparedTransactionOffset: 77,
    });
    expect(put.msgId).toBe('U-1');
    expect(b.body.length).toBe(0);
    expect(b.msgId).toBe(b.offsetMsgId);
    expect(empty.msgId).toBe(b.offsetMsgId);
    expect(b.queueOffset).toBe(1);
    expect(await h.store.getMessageByCommitLogOffset(put.commitLogOffset)).toMatchObject({ msgId: 'U-1', tag: 'créé-✓' });
    expect(await h.store.viewMessage(a.offsetMsgId)).toMatchObject({ commitLogOffset: put.commitLogOffset });
    expect(await h.store.viewMessage(b.offsetMsgId)).toMatchObject({ commitLogOffset: empty.commitLogOffset });
    expect(await h.store.getMessageByCommitLogOffset(put.commitLogOffset + 1)).toBeUndefined();
    expect(await h.store.viewMessage('nonsense')).toBeUndefined();
  });

  it('stores a 4 MiB message and refuses a larger one with a clear error', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 - 64, 0xab);
    const put = await h.store.put(msg('big', big), { queueId: 0 });
    const got = await h.store.get({ topic: 'big', queueId: 0, offset: 0, maxMessages: 1 });
    expect(got.messages[0]!.body.equals(big)).toBe(true);
    expect(got.messages[0]!.commitLogOffset).toBe(put.commitLogOffset);
    await expect(h.store.put(msg('big', Buffer.alloc(4 * 1024 * 1024 + 1)), { queueId: 0 })).rejects.toMatchObject({
      code: KernelErrorCode.MessageTooLarge, message: expect.stringMatching(/limit is 4194304/),
    });
  });

  it('refuses bad topics, oversized or malformed properties, bad queue ids', async () => {
    const cases: Array<[Parameters<typeof h.store.put>[0], number, string]> = [
      [msg('', 'x'), 0, KernelErrorCode.InvalidTopic],
      [msg('t'.repeat(128), 'x'), 0, KernelErrorCode.InvalidTopic],
      [msg('é'.repeat(64), 'x'), 0, KernelErrorCode.InvalidTopic], // 128 bytes of UTF-8
      [msg('bad\ud800', 'x'), 0, KernelErrorCode.InvalidTopic],
      [msg('t', 'x', { properties: { big: 'v'.repeat(33_000) } }), 0, KernelErrorCode.MessageTooLarge],
      [msg('t', 'x', { properties: { TAGS: 'sneaky' } }), 0, KernelErrorCode.InvalidProperty],
      [msg('t', 'x', { properties: { a: 'b\u0001c' } }), 0, KernelErrorCode.InvalidMessage],
      [msg('t', 'x', { keys: ['has space'] }), 0, KernelErrorCode.InvalidMessage],
      [msg('t', 'x'), -1, KernelErrorCode.InvalidQueue],
      [msg('t', 'x'), 1.5, KernelErrorCode.InvalidQueue],
    ];
    for (const [m, queueId, code] of cases) await expect(h.store.put(m, { queueId })).rejects.toMatchObject({ code });
    expect(await h.store.put(msg('t'.repeat(127), 'x'), { queueId: 0 })).toMatchObject({ status: PutStatus.Ok });
    expect(h.store.maxOffset('t', 0)).toBe(0);
  });

  it('putBatch takes consecutive offsets in one queue, interleaved with single puts', async () => {
    const [single, batch] = await Promise.all([
      h.store.put(msg('b', 'one'), { queueId: 1 }),
      h.store.putBatch([msg('b', 'two'), msg('b', 'three'), msg('b', 'four')], { queueId: 1 }),
    ]);
    expect(single.queueOffset).toBe(0);
    expect(batch.map((r) => r.queueOffset)).toEqual([1, 2, 3]);
    const got = await h.store.get({ topic: 'b', queueId: 1, offset: 0, maxMessages: 10 });
    expect(bodies(got.messages)).toEqual(['one', 'two', 'three', 'four']);
    await expect(h.store.putBatch([msg('b', 'x'), msg('c', 'y')], { queueId: 1 })).rejects.toMatchObject({ code: KernelErrorCode.InvalidMessage });
  });

  it('follows RocketMQ GetStatus semantics', async () => {
    expect(await h.store.get({ topic: 'none', queueId: 0, offset: 0, maxMessages: 1 })).toMatchObject({ status: GetStatus.NoMatchedLogicQueue, nextBeginOffset: 0 });
    for (let i = 0; i < 5; i++) await h.store.put(msg('s', `m${i}`, { tag: i % 2 === 0 ? 'even' : 'odd' }), { queueId: 0 });
    expect(await h.store.get({ topic: 's', queueId: 0, offset: 5, maxMessages: 1 })).toMatchObject({ status: GetStatus.OffsetOverflowOne, nextBeginOffset: 5, minOffset: 0, maxOffset: 5 });
    expect(await h.store.get({ topic: 's', queueId: 0, offset: 9, maxMessages: 1 })).toMatchObject({ status: GetStatus.OffsetOverflowBadly, nextBeginOffset: 0 });
    const odd = await h.store.get({ topic: 's', queueId: 0, offset: 0, maxMessages: 10, filter: tagFilter('odd') });
    expect(bodies(odd.messages)).toEqual(['m1', 'm3']);
    expect(odd.nextBeginOffset).toBe(5);
    const none = await h.store.get({ topic: 's', queueId: 0, offset: 0, maxMessages: 10, filter: tagFilter('neither') });
    expect(none).toMatchObject({ status: GetStatus.NoMatchedMessage, nextBeginOffset: 5, messages: [] });
    // the message filter confirms after the tag-code pre-filter
    const confirm = await h.store.get({ topic: 's', queueId: 0, offset: 0, maxMessages: 10, filter: { matchesTagsCode: () => true, matchesMessage: (m) => m.body.toString() === 'm4' } });
    expect(bodies(confirm.messages)).toEqual(['m4']);
    const page = await h.store.get({ topic: 's', queueId: 0, offset: 1, maxMessages: 2 });
    expect(page).toMatchObject({ status: GetStatus.Found, nextBeginOffset: 3 });
    const bounded = await h.store.get({ topic: 's', queueId: 0, offset: 0, maxMessages: 10, maxBytes: 1 });
    expect(bounded.messages).toHaveLength(1);
  });

  it('dispatches to added dispatchers and listeners once the message is readable', async () => {
    const seen: DispatchRequest[] = [];
    const readable: boolean[] = [];
    h.store.addDispatcher({ name: 'test', dispatch: (r) => seen.push(r) });
    const off = h.store.onDispatched((r) => readable.push(h.store.maxOffset(r.topic, r.queueId) > r.queueOffset));
    await h.store.put(msg('d', 'x', { tag: 'T', keys: ['a', 'b'], uniqueId: 'u', properties: { p: '1' } }), { queueId: 3 });
    off();
    await h.store.put(msg('d', 'y'), { queueId: 3 });
    expect(readable).toEqual([true]);
    expect(seen[0]).toMatchObject({ topic: 'd', queueId: 3, queueOffset: 0, tagsCode: tagHash('T'), keys: ['a', 'b'], uniqueId: 'u' });
    expect(seen[0]!.properties.get('p')).toBe('1');
    expect(seen).toHaveLength(2);
  });

  it('searches offsets by store time and reports the last store time', async () => {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      times.push((await h.store.put(msg('time', `m${i}`), { queueId: 0 })).storeTimestamp);
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 5));
    }
    expect(h.store.searchOffset('time', 0, 0)).toBe(0);
    expect(h.store.searchOffset('time', 0, times[19]! + 1)).toBe(20);
    const k = times.findIndex((t) => t > times[0]!);
    expect(h.store.searchOffset('time', 0, times[k]!)).toBe(k);
    expect(h.store.lastStoreTimestamp('time', 0)).toBe(times[19]);
    await h.reopen();
    expect(h.store.lastStoreTimestamp('time', 0)).toBe(times[19]);
    expect(h.store.searchOffset('time', 0, times[k]!)).toBe(k);
  });

  it('lists topics and queues, deletes a topic, and keeps offsets across a clean restart', async () => {
    await h.store.put(msg('a/b c%', 'x'), { queueId: 0 });
    await h.store.put(msg('a/b c%', 'y'), { queueId: 4 });
    await h.store.put(msg('Keep', 'z'), { queueId: 1 });
    expect(h.store.topics().sort()).toEqual(['Keep', 'a/b c%']);
    expect(h.store.queueIds('a/b c%')).toEqual([0, 4]);
    await h.store.deleteTopic('a/b c%');
    expect(h.store.topics()).toEqual(['Keep']);
    await h.reopen();
    expect(h.store.topics()).toEqual(['Keep']);
    expect((await h.store.put(msg('Keep', 'w'), { queueId: 1 })).queueOffset).toBe(1);
    expect(h.store.recoveryReport.crashed).toBe(false);
  });

  it('rejects work after close', async () => {
    await h.store.close();
    await expect(h.store.put(msg('t', 'x'), { queueId: 0 })).rejects.toMatchObject({ code: KernelErrorCode.StoreClosed });
    h = await openTestStore();
  });
});
