import type { Authenticator, Principal } from '../../../src/adapters/common/auth.js';
import { call, openEvents, startHttp, waitFor, type HttpHarness } from './helpers.js';

describe('admin API', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHttp({
      config: {
        info: () => ({ version: '9.9.9', flushMode: 'async' }),
        extraStats: () => ({ mqtt: { connections: 3, messagesIn: 10, messagesOut: 20 }, stomp: { connections: 1, messagesIn: 0, messagesOut: 5 } }),
      },
    });
  });
  afterAll(() => h.close());

  it('creates, lists with stats, shows and deletes topics', async () => {
    const created = await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'adm', queueCount: 3 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ topic: 'adm', queueCount: 3, order: false });
    expect((await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'adm', queueCount: 3 } })).status).toBe(200);
    await call(`${h.url}/v1/topics/adm/messages`, { method: 'POST', json: [{ body: '1' }, { body: '2' }] });
    const list = await call(`${h.url}/v1/topics`);
    const adm = list.body.topics.find((t: { topic: string }) => t.topic === 'adm');
    expect(adm).toMatchObject({ queueCount: 3, messageCount: 2 });
    expect(adm.queues).toHaveLength(3);
    // system topics only on request
    expect(list.body.topics.some((t: { topic: string }) => t.topic.startsWith('%'))).toBe(false);
    expect((await call(`${h.url}/v1/topics?system=true`)).body.topics.some((t: { topic: string }) => t.topic === '%HTTP%WEBHOOKS')).toBe(true);
    expect((await call(`${h.url}/v1/topics/adm`)).body.messageCount).toBe(2);
    expect((await call(`${h.url}/v1/topics/adm`, { method: 'DELETE' })).status).toBe(204);
    const gone = await call(`${h.url}/v1/topics/adm`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('TOPIC_NOT_FOUND');
    expect((await call(`${h.url}/v1/topics/adm`, { method: 'DELETE' })).status).toBe(404);
  });

  it('finds messages by id and by key', async () => {
    const sent = await call(`${h.url}/v1/topics/lookup/messages`, { method: 'POST', json: { body: 'find me', keys: ['order-77'], tag: 't' } });
    const byId = await call(`${h.url}/v1/messages/${sent.body.msgId}`);
    expect(byId.body).toMatchObject({ msgId: sent.body.msgId, topic: 'lookup', body: 'find me', keys: ['order-77'] });
    const byKey = await call(`${h.url}/v1/topics/lookup/messages?key=order-77`);
    expect(byKey.body.messages.map((m: { msgId: string }) => m.msgId)).toEqual([sent.body.msgId]);
    const missing = await call(`${h.url}/v1/messages/00000000000000000000000000000FFF`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('MESSAGE_NOT_FOUND');
    const noKey = await call(`${h.url}/v1/topics/lookup/messages`);
    expect(noKey.body.error.details).toEqual([expect.objectContaining({ in: 'query', path: '/key' })]);
  });

  it('lists groups with members, lag per queue, and resets offsets to a time', async () => {
    await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'lagging', queueCount: 2 } });
    const es = await openEvents(`${h.url}/v1/topics/lagging/events?group=watchers`);
    await es.nextOf('open');
    const before = Date.now();
    for (let i = 0; i < 4; i++) await call(`${h.url}/v1/topics/lagging/messages`, { method: 'POST', json: { body: `m${i}` } });
    for (let i = 0; i < 4; i++) await es.nextOf('message');
    const groups = await call(`${h.url}/v1/groups`);
    expect(groups.body.groups.find((g: { group: string }) => g.group === 'watchers')).toMatchObject({
      messageModel: 'CLUSTERING', members: [expect.objectContaining({ protocol: 'http' })],
    });
    await waitFor(async () => (await call(`${h.url}/v1/groups/watchers/lag`)).body.queues.filter((q: { topic: string }) => q.topic === 'lagging')
      .reduce((n: number, q: { consumerOffset: number }) => n + q.consumerOffset, 0) === 4, 5_000, 'offsets committed');
    es.close();
    await waitFor(async () => (await call(`${h.url}/v1/groups/watchers`)).body.members.length === 0, 5_000, 'member gone');
    const reset = await call(`${h.url}/v1/groups/watchers/offsets/reset`, { method: 'POST', json: { topic: 'lagging', timestamp: new Date(before - 1000).toISOString() } });
    expect(reset.status).toBe(200);
    expect(reset.body.totalLag).toBe(4);
    expect(reset.body.queues.map((q: { consumerOffset: number }) => q.consumerOffset)).toEqual([0, 0]);
    const unknown = await call(`${h.url}/v1/groups/nobody/lag`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('GROUP_NOT_FOUND');
  });

  it('reports connections per protocol, including other adapters', async () => {
    const res = await call(`${h.url}/v1/connections`);
    expect(res.body.protocols.mqtt).toEqual({ connections: 3, messagesIn: 10, messagesOut: 20 });
    expect(res.body.protocols.http.connections).toBeGreaterThanOrEqual(1);
    expect(res.body.protocols.http.messagesIn).toBeGreaterThan(0);
  });

  it('shows process info', async () => {
    expect((await call(`${h.url}/v1/info`)).body).toEqual({ version: '9.9.9', flushMode: 'async' });
  });

  it('exports Prometheus metrics: messages by topic and protocol, latency, connections', async () => {
    await call(`${h.url}/v1/topics/metered/messages`, { method: 'POST', json: { body: 'x' } });
    const res = await fetch(`${h.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/rocketgate_messages_in_total\{protocol="http",topic="metered"\} 1/);
    expect(text).toMatch(/rocketgate_http_request_duration_seconds_bucket\{.*route="\/v1\/topics\/\{topic\}\/messages".*\}/);
    expect(text).toMatch(/rocketgate_protocol_connections\{protocol="mqtt"\} 3/);
    expect(text).toMatch(/rocketgate_protocol_messages_out_total\{protocol="stomp"\} 5/);
  });

  it('reports health from readiness', async () => {
    const ok = await call(`${h.url}/v1/health`);
    expect(ok).toMatchObject({ status: 200, body: { status: 'ok', listeners: { http: true } } });
    const down = await startHttp({ config: { readiness: () => ({ ready: false, listeners: { http: true, mqtt: false } }) } });
    try {
      const res = await call(`${down.url}/v1/health`);
      expect(res).toMatchObject({ status: 503, body: { status: 'unavailable', listeners: { http: true, mqtt: false } } });
    } finally {
      await down.close();
    }
  });
});

describe('bearer tokens and ACLs (context.auth)', () => {
  const users: Record<string, Principal> = {
    'admin-token': { username: 'root', admin: true, readOnly: false },
    'viewer-token': { username: 'viewer', admin: false, readOnly: true },
    'app-token': { username: 'app', admin: false, readOnly: false },
  };
  const auth: Authenticator = {
    required: true,
    authenticate: (u, p) => (u === 'app' && p === 'secret' ? users['app-token'] : undefined),
    authenticateToken: (t) => (t ? users[t] : undefined),
    // app may publish to app.* and subscribe to everything
    authorize: (p, action, topic) => !!p && (p.admin || action === 'subscribe' || topic.startsWith('app.')),
  };
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHttp({ auth });
  });
  afterAll(() => h.close());

  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  it('refuses requests without or with wrong credentials (401 with a challenge)', async () => {
    const none = await call(`${h.url}/v1/topics/app.x/messages`, { method: 'POST', json: { body: 'x' } });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.body.error.code).toBe('UNAUTHORIZED');
    expect((await call(`${h.url}/v1/topics/app.x/messages`, { method: 'POST', json: { body: 'x' }, headers: as('wrong') })).status).toBe(401);
  });

  it('applies per-topic publish ACLs', async () => {
    expect((await call(`${h.url}/v1/topics/app.x/messages`, { method: 'POST', json: { body: 'x' }, headers: as('app-token') })).status).toBe(201);
    const denied = await call(`${h.url}/v1/topics/other/messages`, { method: 'POST', json: { body: 'x' }, headers: as('app-token') });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    const basic = `Basic ${Buffer.from('app:secret').toString('base64')}`;
    expect((await call(`${h.url}/v1/topics/app.y/messages`, { method: 'POST', json: { body: 'x' }, headers: { authorization: basic } })).status).toBe(201);
  });

  it('lets read-only users read the admin API but change nothing', async () => {
    expect((await call(`${h.url}/v1/topics`, { headers: as('viewer-token') })).status).toBe(200);
    expect((await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'nope' }, headers: as('viewer-token') })).status).toBe(403);
    expect((await call(`${h.url}/v1/topics`, { headers: as('app-token') })).status).toBe(403);
    expect((await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'yes' }, headers: as('admin-token') })).status).toBe(201);
  });

  it('keeps health, metrics and the OpenAPI document open', async () => {
    expect((await call(`${h.url}/v1/health`)).status).toBe(200);
    expect((await fetch(`${h.url}/metrics`)).status).toBe(200);
    expect((await call(`${h.url}/v1/openapi.json`)).status).toBe(200);
  });
});
