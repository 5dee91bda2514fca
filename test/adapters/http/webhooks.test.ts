import { createHmac } from 'node:crypto';
import { call, startHttp, startReceiver, waitFor, type HttpHarness, type ReceivedCall, type WebhookReceiver } from './helpers.js';

/**
 * The documented algorithm, written out here independently of the adapter's code:
 * base64(HMAC-SHA256(key, `${webhook-id}.${webhook-timestamp}.${body}`)), key = base64 after `whsec_`.
 */
function signatureValid(secret: string, call: ReceivedCall): boolean {
  const id = call.headers['webhook-id'] as string;
  const ts = call.headers['webhook-timestamp'] as string;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${call.body}`).digest('base64');
  const offered = (call.headers['webhook-signature'] as string).split(' ');
  return offered.includes(`v1,${expected}`) && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
}

const publish = (h: HttpHarness, topic: string, body: string, extra: Record<string, unknown> = {}) =>
  call(`${h.url}/v1/topics/${topic}/messages`, { method: 'POST', json: { body, ...extra } });

describe('outbound webhooks', () => {
  let h: HttpHarness;
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    h = await startHttp({ kernel: { defaultQueueCount: 2 } });
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  it('delivers signed requests, retrying a receiver that fails the first N attempts', async () => {
    const failures = 2;
    receiver.respond = (_c, i) => (i < failures ? 503 : 200);
    const created = await call(`${h.url}/v1/webhooks`, { method: 'POST', json: { topic: 'events', url: receiver.url, maxAttempts: 5 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), topic: 'events', url: receiver.url, maxAttempts: 5, ordered: false, group: `webhook-${created.body.id}` });
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);

    const sent = await publish(h, 'events', 'payload-1', { tag: 'created' });
    await waitFor(() => receiver.calls.length === failures + 1, 15_000, 'three attempts');
    for (const c of receiver.calls) {
      expect(signatureValid(secret, c)).toBe(true);
      expect(c.headers['webhook-id']).toBe(sent.body.msgId);
      expect(c.headers['content-type']).toBe('application/json');
    }
    expect(receiver.calls.map((c) => c.headers['x-rocketgate-attempt'])).toEqual(['1', '2', '3']);
    const payload = JSON.parse(receiver.calls[2]!.body);
    expect(payload).toMatchObject({ type: 'message', data: { msgId: sent.body.msgId, topic: 'events', tag: 'created', body: 'payload-1', encoding: 'utf8' } });
    // a signature made with another secret does not verify
    expect(signatureValid('whsec_' + Buffer.from('another-secret-123').toString('base64'), receiver.calls[0]!)).toBe(false);
  });

  it('sends a message to the dead-letter topic after maxAttempts; it can be listed and re-driven', async () => {
    receiver.respond = () => 500;
    const created = await call(`${h.url}/v1/webhooks`, { method: 'POST', json: { topic: 'doomed', url: receiver.url, maxAttempts: 2, secret: 'a-plain-secret-of-some-length' } });
    const group = created.body.group as string;
    await publish(h, 'doomed', 'never-accepted');
    await waitFor(async () => (await call(`${h.url}/v1/groups/${group}/dead-letters`)).body.messages?.length === 1, 15_000, 'dead letter');
    expect(receiver.calls).toHaveLength(2);
    const dlq = await call(`${h.url}/v1/groups/${group}/dead-letters`);
    expect(dlq.body).toMatchObject({ topic: `%DLQ%${group}`, messages: [expect.objectContaining({ body: 'never-accepted', originTopic: 'doomed', redriven: false })] });

    // the receiver recovers; a re-drive delivers the message to this subscription again
    receiver.respond = () => 200;
    const redrive = await call(`${h.url}/v1/groups/${group}/dead-letters/redrive`, { method: 'POST', json: {} });
    expect(redrive.status).toBe(200);
    expect(redrive.body).toMatchObject({ redriven: 1, results: [expect.objectContaining({ status: 201, topic: `%RETRY%${group}` })] });
    await waitFor(() => receiver.calls.some((c) => c.answered === 200), 15_000, 'delivery after re-drive');
    expect(JSON.parse(receiver.calls.at(-1)!.body).data.body).toBe('never-accepted');
    expect((await call(`${h.url}/v1/groups/${group}/dead-letters`)).body.messages[0].redriven).toBe(true);
    // a second plain re-drive has nothing left to send
    expect((await call(`${h.url}/v1/groups/${group}/dead-letters/redrive`, { method: 'POST' })).body.redriven).toBe(0);
  });

  it('keeps per-sharding-key order when ordered, across failures', async () => {
    await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'ordered', queueCount: 2 } });
    let failedOnce = false;
    receiver.respond = (c) => {
      const body = JSON.parse(c.body).data.body as string;
      if (body === 'a2' && !failedOnce) {
        failedOnce = true;
        return 500;
      }
      return 200;
    };
    await call(`${h.url}/v1/webhooks`, { method: 'POST', json: { topic: 'ordered', url: receiver.url, ordered: true, maxAttempts: 5 } });
    for (let i = 1; i <= 4; i++) {
      await publish(h, 'ordered', `a${i}`, { shardingKey: 'A' });
      await publish(h, 'ordered', `b${i}`, { shardingKey: 'B' });
    }
    const accepted = () => receiver.calls.filter((c) => c.answered === 200).map((c) => JSON.parse(c.body).data.body as string);
    await waitFor(() => accepted().length === 8, 15_000, 'all delivered');
    expect(accepted().filter((b) => b.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(accepted().filter((b) => b.startsWith('b'))).toEqual(['b1', 'b2', 'b3', 'b4']);
    // a2 failed once and nothing of key A overtook it
    const attemptsOfA = receiver.calls.map((c) => JSON.parse(c.body).data.body as string).filter((b) => b.startsWith('a'));
    expect(attemptsOfA).toEqual(['a1', 'a2', 'a2', 'a3', 'a4']);
  });

  it('subscriptions and undelivered messages survive a restart', async () => {
    receiver.respond = () => 503;
    const created = await call(`${h.url}/v1/webhooks`, { method: 'POST', json: { topic: 'durable', url: receiver.url, maxAttempts: 20, tagExpression: 'keep' } });
    await publish(h, 'durable', 'skipped', { tag: 'other' });
    await publish(h, 'durable', 'kept', { tag: 'keep' });
    await waitFor(() => receiver.calls.length >= 1, 15_000, 'first attempt');
    h = await h.restart();
    receiver.respond = () => 200;
    const list = await call(`${h.url}/v1/webhooks`);
    expect(list.body.webhooks).toEqual([expect.objectContaining({ id: created.body.id, topic: 'durable', tagExpression: 'keep' })]);
    expect(list.body.webhooks[0].secret).toBeUndefined();
    await waitFor(() => receiver.calls.some((c) => c.answered === 200), 15_000, 'delivery after restart');
    const delivered = receiver.calls.filter((c) => c.answered === 200).map((c) => JSON.parse(c.body).data.body);
    expect(delivered).toEqual(['kept']);
    expect(receiver.calls.every((c) => signatureValid(created.body.secret, c))).toBe(true);
  });

  it('deletes subscriptions; unknown ids are 404 WEBHOOK_NOT_FOUND', async () => {
    const created = await call(`${h.url}/v1/webhooks`, { method: 'POST', json: { topic: 'gone', url: receiver.url } });
    expect((await call(`${h.url}/v1/webhooks/${created.body.id}`)).body).toMatchObject({ id: created.body.id });
    expect((await call(`${h.url}/v1/webhooks/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    const missing = await call(`${h.url}/v1/webhooks/${created.body.id}`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('WEBHOOK_NOT_FOUND');
    expect((await call(`${h.url}/v1/webhooks`)).body.webhooks).toEqual([]);
    // its consumer group is gone too, so nothing is delivered for it any more
    expect((await call(`${h.url}/v1/groups/${created.body.group}`)).status).toBe(404);
  });

  it('refuses invalid subscriptions with the failing path', async () => {
    const res = await call(`${h.url}/v1/webhooks`, { method: 'POST', json: { topic: 't', url: 'not a url' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/url' })]));
    await publish(h, 't', 'x');
    const badSelector = await call(`${h.url}/v1/webhooks`, { method: 'POST', json: { topic: 't', url: receiver.url, selector: 'a = ' } });
    expect(badSelector.status).toBe(400);
    expect(badSelector.body.error.code).toBe('INVALID_FILTER');
  });
});

describe('inbound hooks', () => {
  let h: HttpHarness;
  const secret = 'whsec_' + Buffer.from('inbound-secret-bytes').toString('base64');
  beforeAll(async () => {
    h = await startHttp({ config: { inboundHooks: { signed: { secret }, github: { secret: 'gh', scheme: 'github' } } } });
  });
  afterAll(() => h.close());

  const stored = async (topic: string) => {
    const stats = await call(`${h.url}/v1/topics/${topic}`);
    return stats.body.messageCount as number;
  };

  it('stores any JSON byte for byte on an unsigned topic', async () => {
    const body = '{"event":"ping", "n": 1}';
    const res = await call(`${h.url}/v1/hooks/open?tag=ping`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    const msg = await call(`${h.url}/v1/messages/${res.body.msgId}`);
    expect(msg.body).toMatchObject({ body, tag: 'ping', contentType: 'application/json' });
  });

  it('verifies Standard Webhooks signatures and de-duplicates by webhook-id', async () => {
    const body = '{"order":42}';
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', Buffer.from('inbound-secret-bytes')).update(`evt_1.${ts}.${body}`).digest('base64');
    const headers = { 'content-type': 'application/json', 'webhook-id': 'evt_1', 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` };
    const first = await call(`${h.url}/v1/hooks/signed`, { method: 'POST', body, headers });
    expect(first.status).toBe(201);
    const again = await call(`${h.url}/v1/hooks/signed`, { method: 'POST', body, headers });
    expect(again.body).toEqual(first.body);
    expect(await stored('signed')).toBe(1);
    const bad = await call(`${h.url}/v1/hooks/signed`, { method: 'POST', body: '{"order":43}', headers });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('INVALID_SIGNATURE');
    const unsigned = await call(`${h.url}/v1/hooks/signed`, { method: 'POST', json: { order: 1 } });
    expect(unsigned.status).toBe(401);
  });

  it('verifies GitHub-style signatures', async () => {
    const body = '{"action":"opened"}';
    const good = `sha256=${createHmac('sha256', 'gh').update(body).digest('hex')}`;
    const ok = await call(`${h.url}/v1/hooks/github`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': good, 'x-github-delivery': 'd-1' } });
    expect(ok.status).toBe(201);
    const bad = await call(`${h.url}/v1/hooks/github`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' } });
    expect(bad.status).toBe(401);
  });

  it('refuses bodies that are not JSON', async () => {
    expect((await call(`${h.url}/v1/hooks/open`, { method: 'POST', body: '{oops', headers: { 'content-type': 'application/json' } })).body.error.code).toBe('INVALID_JSON');
    expect((await call(`${h.url}/v1/hooks/open`, { method: 'POST', body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
  });
});
