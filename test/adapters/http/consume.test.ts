import http from 'node:http';
import { ConsumeFrom } from '../../../src/kernel/index.js';
import { call, startHttp, waitFor, type HttpHarness } from './helpers.js';

describe('pop-style receive over HTTP', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHttp({ kernel: { defaultQueueCount: 2 } });
  });
  afterAll(() => h.close());

  const base = (group: string, topic: string) => `${h.url}/v1/groups/${group}/topics/${topic}`;
  const receive = (group: string, topic: string, json: Record<string, unknown> = {}) =>
    call(`${base(group, topic)}/receive`, { method: 'POST', json });
  const publish = (topic: string, json: Record<string, unknown>) => call(`${h.url}/v1/topics/${topic}/messages`, { method: 'POST', json });
  /** creates the topic and the group; a new group reads from its creation on */
  const prepare = async (group: string, topic: string) => {
    await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic, queueCount: 2 } });
    const first = await receive(group, topic);
    expect(first.status).toBe(200);
    expect(first.body.messages).toEqual([]);
  };

  it('receives a message published through the kernel client, with every field', async () => {
    await prepare('g-interop', 'interop');
    const producer = h.kernel.client.createProducer();
    const sent = await producer.send({
      topic: 'interop', body: Buffer.from('from the kernel'), tag: 'k', keys: ['key-1'], properties: { p: 'v' }, contentType: 'text/plain',
    });
    const res = await receive('g-interop', 'interop', { max: 4, waitMs: 5_000 });
    expect(res.status).toBe(200);
    expect(res.body.messages).toEqual([expect.objectContaining({
      msgId: sent.msgId, topic: 'interop', tag: 'k', keys: ['key-1'], properties: { p: 'v' }, contentType: 'text/plain', body: 'from the kernel',
      encoding: 'utf8', reconsumeTimes: 0, receiptHandle: expect.any(String), bornTimestamp: expect.any(Number),
    })]);
    await producer.shutdown();
  });

  it('gives base64 bodies for bytes that are not UTF-8', async () => {
    await prepare('g-bin', 'binary');
    await publish('binary', { body: Buffer.from([0xff, 0x00, 0xc3]).toString('base64'), encoding: 'base64' });
    const res = await receive('g-bin', 'binary', { waitMs: 5_000 });
    expect(res.body.messages[0]).toMatchObject({ body: '/wDD', encoding: 'base64' });
  });

  it('long-polls until a message arrives', async () => {
    await prepare('g-poll', 'poll');
    const pending = receive('g-poll', 'poll', { waitMs: 10_000 });
    await publish('poll', { body: 'late' });
    const res = await pending;
    expect(res.body.messages.map((m: { body: string }) => m.body)).toEqual(['late']);
  });

  it('acked messages are gone; an invisible message is not given to another receiver', async () => {
    await prepare('g-ack', 'acks');
    await publish('acks', { body: 'one' });
    const first = await receive('g-ack', 'acks', { waitMs: 5_000, invisibleMs: 60_000 });
    const handle = first.body.messages[0].receiptHandle as string;
    expect((await receive('g-ack', 'acks')).body.messages).toEqual([]);
    const ack = await call(`${base('g-ack', 'acks')}/ack`, { method: 'POST', json: { receiptHandles: [handle] } });
    expect(ack.status).toBe(200);
    expect(ack.body).toEqual({ results: [{ receiptHandle: handle, status: 200 }] });
    // a second ack of the same handle is refused
    const again = await call(`${base('g-ack', 'acks')}/ack`, { method: 'POST', json: { receiptHandles: [handle] } });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('INVALID_RECEIPT_HANDLE');
  });

  it('nack redelivers the message with a higher reconsume count', async () => {
    await prepare('g-nack', 'nacks');
    await publish('nacks', { body: 'retry-me' });
    const first = await receive('g-nack', 'nacks', { waitMs: 5_000 });
    const nack = await call(`${base('g-nack', 'nacks')}/nack`, { method: 'POST', json: { receiptHandles: [first.body.messages[0].receiptHandle], delayMs: 0 } });
    expect(nack.status).toBe(200);
    const again = await receive('g-nack', 'nacks', { waitMs: 10_000 });
    expect(again.body.messages[0]).toMatchObject({ body: 'retry-me', topic: 'nacks', reconsumeTimes: 1, msgId: first.body.messages[0].msgId });
  });

  it('visibility returns new handles; a message whose invisibility passes is delivered again', async () => {
    await prepare('g-vis', 'vis');
    await publish('vis', { body: 'v' });
    const first = await receive('g-vis', 'vis', { waitMs: 5_000, invisibleMs: 60_000 });
    const old = first.body.messages[0].receiptHandle as string;
    const changed = await call(`${base('g-vis', 'vis')}/visibility`, { method: 'POST', json: { receiptHandles: [old], invisibleMs: 1 } });
    expect(changed.status).toBe(200);
    const fresh = changed.body.results[0].newReceiptHandle as string;
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(old);
    const again = await receive('g-vis', 'vis', { waitMs: 5_000 });
    expect(again.body.messages[0].body).toBe('v');
    const stale = await call(`${base('g-vis', 'vis')}/ack`, { method: 'POST', json: { receiptHandles: [old] } });
    expect(stale.body.error.code).toBe('INVALID_RECEIPT_HANDLE');
  });

  it('gives messages back when the client leaves during a long poll', async () => {
    await prepare('g-gone', 'gone');
    const before = h.adapter.stats().connections;
    // a connection of its own (no keep-alive pool), dropped while the receive waits
    const req = http.request(`${base('g-gone', 'gone')}/receive`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ waitMs: 20_000, invisibleMs: 600_000 }));
    await waitFor(() => h.adapter.stats().connections > before, 5_000, 'long poll to arrive');
    req.destroy();
    await waitFor(() => h.adapter.stats().connections <= before, 5_000, 'connection to close');
    await publish('gone', { body: 'not lost' });
    const next = await receive('g-gone', 'gone', { waitMs: 10_000 });
    expect(next.body.messages.map((m: { body: string }) => m.body)).toEqual(['not lost']);
  });

  it('answers a status per handle when only some fail (207)', async () => {
    await prepare('g-mixed', 'mixed');
    await publish('mixed', { body: 'm' });
    const got = await receive('g-mixed', 'mixed', { waitMs: 5_000 });
    const res = await call(`${base('g-mixed', 'mixed')}/ack`, { method: 'POST', json: { receiptHandles: [got.body.messages[0].receiptHandle, 'bogus-handle'] } });
    expect(res.status).toBe(207);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([200, 400]);
    expect(res.body.results[1].error.code).toBe('INVALID_RECEIPT_HANDLE');
  });

  it('filters by tag expression and selector', async () => {
    await prepare('g-filter', 'filt');
    await prepare('g-filter-sql', 'filt');
    await publish('filt', { body: 'x', tag: 'a', properties: { n: '1' } });
    await publish('filt', { body: 'y', tag: 'b', properties: { n: '7' } });
    const byTag = await receive('g-filter', 'filt', { max: 10, waitMs: 3_000, tagExpression: 'b' });
    expect(byTag.body.messages.map((m: { body: string }) => m.body)).toEqual(['y']);
    const bySql = await receive('g-filter-sql', 'filt', { max: 10, waitMs: 3_000, selector: 'n < 5' });
    expect(bySql.body.messages.map((m: { body: string }) => m.body)).toEqual(['x']);
  });

  it('refuses bad requests with stable codes', async () => {
    const unknown = await receive('g', 'no-such-topic');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('TOPIC_NOT_FOUND');
    const both = await receive('g', 'x', { tagExpression: 'a', selector: 'b = 1' });
    expect(both.status).toBe(400);
    expect(both.body.error.details).toEqual([expect.objectContaining({ path: '/selector' })]);
    const tooMany = await receive('g', 'x', { max: 1000 });
    expect(tooMany.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: '/max' })] });
    const noHandles = await call(`${base('g', 'x')}/ack`, { method: 'POST', json: {} });
    expect(noHandles.body.error.details).toEqual([expect.objectContaining({ path: '/receiptHandles', keyword: 'required' })]);
    const bad = await call(`${base('g', 'x')}/ack`, { method: 'POST', json: { receiptHandles: ['not-a-handle'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_RECEIPT_HANDLE');
  });

  it('a kernel push consumer of another group receives what HTTP published', async () => {
    const consumer = h.kernel.client.createPushConsumer({ group: 'kernel-side', consumeFrom: ConsumeFrom.Last });
    consumer.subscribe('both-ways');
    const got: string[] = [];
    await consumer.start(async (m) => {
      got.push(m.body.toString());
      return 'CONSUME_SUCCESS';
    });
    await publish('both-ways', { body: 'to-kernel' });
    await waitFor(() => got.length > 0, 10_000, 'kernel consumer');
    await consumer.shutdown();
    expect(got).toEqual(['to-kernel']);
  });
});
