import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { ConsumeFrom } from '../../../src/kernel/index.js';
import type { StoredMessage } from '../../../src/kernel/index.js';
import type { TestKernel } from '../../helpers/kernel.js';
import { call, startHttp, type HttpHarness } from './helpers.js';

/** every message of a topic, through a kernel pull consumer (interop check) */
async function readAll(kernel: TestKernel, topic: string): Promise<StoredMessage[]> {
  const consumer = kernel.client.createPullConsumer({ group: `check-${topic}-${Date.now()}`, consumeFrom: ConsumeFrom.First });
  const out: StoredMessage[] = [];
  for (const queueId of await consumer.queues(topic)) {
    const r = await consumer.pull({ topic, queueId, offset: 0, maxMessages: 1000 });
    out.push(...r.messages);
  }
  await consumer.shutdown();
  return out.sort((a, b) => a.queueId - b.queueId || a.queueOffset - b.queueOffset);
}

describe('HTTP publish', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHttp({ config: { maxBodyBytes: 64 * 1024 } });
  });
  afterAll(() => h.close());

  it('publishes one JSON message with every field; a kernel consumer reads it back', async () => {
    const res = await call(`${h.url}/v1/topics/orders/messages`, {
      method: 'POST',
      json: { body: 'héllo', tag: 'created', keys: ['order-1'], properties: { region: 'eu' }, contentType: 'text/plain', shardingKey: 'cust-1', ttlMs: 600_000 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ msgId: expect.any(String), topic: 'orders', queueId: expect.any(Number), queueOffset: 0 });
    const [m] = await readAll(h.kernel, 'orders');
    expect(m).toMatchObject({ msgId: res.body.msgId, tag: 'created', keys: ['order-1'], properties: { region: 'eu' }, contentType: 'text/plain', shardingKey: 'cust-1' });
    expect(m!.body.toString('utf8')).toBe('héllo');
    expect(m!.expireAt).toBeGreaterThan(Date.now());
  });

  it('publishes base64 bodies byte for byte', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 255]);
    const res = await call(`${h.url}/v1/topics/bin/messages`, { method: 'POST', json: { body: bytes.toString('base64'), encoding: 'base64' } });
    expect(res.status).toBe(201);
    expect((await readAll(h.kernel, 'bin'))[0]!.body).toEqual(bytes);
  });

  it('publishes a batch with a status per item; invalid items fail alone (207)', async () => {
    const res = await call(`${h.url}/v1/topics/batch/messages`, {
      method: 'POST',
      json: [{ body: 'a', shardingKey: 'k' }, { body: 'b', tag: 'a||b' }, { body: 'c', shardingKey: 'k' }, { nobody: true }, { body: 'e', properties: { KEYS: 'x' } }],
    });
    expect(res.status).toBe(207);
    const results = res.body.results as Array<Record<string, any>>;
    expect(results.map((r) => r.status)).toEqual([201, 400, 201, 400, 400]);
    expect(results[1]!.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: '/1/tag' })] });
    expect(results[3]!.error).toMatchObject({ code: 'VALIDATION_FAILED', details: expect.arrayContaining([expect.objectContaining({ path: '/3/body' })]) });
    expect(results[4]!.error).toMatchObject({ code: 'INVALID_PROPERTY' });
    // same sharding key: one queue, in order
    expect(results[0]!.queueId).toBe(results[2]!.queueId);
    expect(results[2]!.queueOffset).toBe(results[0]!.queueOffset + 1);
    expect((await readAll(h.kernel, 'batch')).map((m) => m.body.toString())).toEqual(['a', 'c']);
  });

  it('answers 201 when every batch item is stored', async () => {
    const res = await call(`${h.url}/v1/topics/batch2/messages`, { method: 'POST', json: [{ body: '1' }, { body: '2' }, { body: { n: 3 } }] });
    expect(res.status).toBe(201);
    expect(res.body.results).toHaveLength(3);
    const stored = await readAll(h.kernel, 'batch2');
    expect(stored.map((m) => m.body.toString()).sort()).toEqual(['1', '2', '{"n":3}']);
    expect(stored.find((m) => m.body.toString() === '{"n":3}')!.contentType).toBe('application/json');
  });

  it('publishes a raw body with tag, keys and properties from headers', async () => {
    const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const res = await call(`${h.url}/v1/topics/raw/messages`, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream', 'x-message-tag': 'bin', 'x-message-keys': 'k1,k2', 'x-message-property-origin': 'sensor-9' },
    });
    expect(res.status).toBe(201);
    const [m] = await readAll(h.kernel, 'raw');
    expect(m).toMatchObject({ tag: 'bin', keys: ['k1', 'k2'], properties: { origin: 'sensor-9' }, contentType: 'application/octet-stream' });
    expect(m!.body).toEqual(bytes);
  });

  it('returns the first result for a retried Idempotency-Key and stores once', async () => {
    const send = () => call(`${h.url}/v1/topics/idem/messages`, { method: 'POST', json: { body: 'once' }, headers: { 'idempotency-key': 'key-1' } });
    const [a, b] = await Promise.all([send(), send()]);
    const c = await send();
    expect(a.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(c.body).toEqual(a.body);
    expect(c.headers.get('idempotent-replayed')).toBe('true');
    expect(await readAll(h.kernel, 'idem')).toHaveLength(1);
    const other = await call(`${h.url}/v1/topics/idem/messages`, { method: 'POST', json: { body: 'different' }, headers: { 'idempotency-key': 'key-1' } });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  describe('bad input gets a JSON error with a stable code', () => {
    it('invalid JSON → 400 INVALID_JSON', async () => {
      const res = await call(`${h.url}/v1/topics/t/messages`, { method: 'POST', body: '{"body": ', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'INVALID_JSON', message: expect.stringContaining('not valid JSON') });
    });

    it('schema violation → 400 VALIDATION_FAILED with the failing path', async () => {
      const res = await call(`${h.url}/v1/topics/t/messages`, { method: 'POST', json: { body: 'x', keys: 'not-an-array' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'body/keys must be array', details: [expect.objectContaining({ path: '/keys' })] });
    });

    it('oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await call(`${h.url}/v1/topics/t/messages`, { method: 'POST', body: Buffer.alloc(65 * 1024), headers: { 'content-type': 'application/octet-stream' } });
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('an oversized chunked body (no Content-Length) → 413 after it was read', async () => {
      const res = await new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = http.request(`${h.url}/v1/topics/t/messages`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (r) => {
          let text = '';
          r.on('data', (c: Buffer) => (text += c.toString()));
          r.on('end', () => resolve({ status: r.statusCode!, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        for (let i = 0; i < 20; i++) req.write(Buffer.alloc(8 * 1024));
        req.end();
      });
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('accepts a gzip-encoded JSON body', async () => {
      const res = await call(`${h.url}/v1/topics/gz/messages`, {
        method: 'POST', body: gzipSync(JSON.stringify({ body: 'zipped' })), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      expect(res.status).toBe(201);
      expect((await readAll(h.kernel, 'gz'))[0]!.body.toString()).toBe('zipped');
    });

    it('invalid topic name → 400 with the path parameter named', async () => {
      const res = await call(`${h.url}/v1/topics/${encodeURIComponent('a+b')}/messages`, { method: 'POST', json: { body: 'x' } });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ in: 'path', path: '/topic' })]);
    });

    it('unknown route → 404 NOT_FOUND', async () => {
      const res = await call(`${h.url}/v1/nothing-here`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });

    it('a JSON-only route refuses other content types with 415', async () => {
      const res = await call(`${h.url}/v1/topics`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });
});

describe('HTTP publish with auto-create off', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHttp({ kernel: { autoCreateTopics: false } });
  });
  afterAll(() => h.close());

  it('unknown topic → 404 TOPIC_NOT_FOUND; after creating it the publish succeeds', async () => {
    const res = await call(`${h.url}/v1/topics/missing/messages`, { method: 'POST', json: { body: 'x' } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('TOPIC_NOT_FOUND');
    expect((await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'missing', queueCount: 2 } })).status).toBe(201);
    expect((await call(`${h.url}/v1/topics/missing/messages`, { method: 'POST', json: { body: 'x' } })).status).toBe(201);
  });
});
