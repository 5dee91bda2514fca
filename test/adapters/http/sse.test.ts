import { call, openEvents, startHttp, waitFor, type HttpHarness, type SseClient } from './helpers.js';

const publish = (h: HttpHarness, topic: string, body: unknown, extra: Record<string, unknown> = {}) =>
  call(`${h.url}/v1/topics/${topic}/messages`, { method: 'POST', json: { body, ...extra } });

describe('server-sent events (WHATWG HTML §9.2)', () => {
  let h: HttpHarness;
  const open: SseClient[] = [];
  beforeAll(async () => {
    h = await startHttp({ kernel: { defaultQueueCount: 4 } });
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  afterAll(() => h.close());

  const events = async (path: string, headers: Record<string, string> = {}): Promise<SseClient> => {
    const c = await openEvents(`${h.url}${path}`, headers);
    open.push(c);
    return c;
  };

  it('streams messages published after the connection, with positions as ids', async () => {
    await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'live', queueCount: 4 } });
    const es = await events('/v1/topics/live/events');
    expect(es.status).toBe(200);
    expect(es.contentType).toMatch(/^text\/event-stream/);
    const opened = await es.nextOf('open');
    expect(opened.id).toBe('0:-1,1:-1,2:-1,3:-1');
    const sent = await publish(h, 'live', 'hello', { tag: 'greeting', properties: { a: '1' } });
    const ev = await es.nextOf('message');
    const data = JSON.parse(ev.data);
    expect(data).toMatchObject({ msgId: sent.body.msgId, topic: 'live', tag: 'greeting', body: 'hello', encoding: 'utf8', properties: { a: '1' } });
    expect(ev.id).toContain(`${sent.body.queueId}:${sent.body.queueOffset}`);
  });

  it('filters by tag expression and by SQL92 selector', async () => {
    await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'filtered', queueCount: 1 } });
    const byTag = await events('/v1/topics/filtered/events?tagExpression=b%20%7C%7C%20c');
    const bySelector = await events(`/v1/topics/filtered/events?selector=${encodeURIComponent("level > 3 AND TAGS = 'a'")}`);
    await Promise.all([byTag.nextOf('open'), bySelector.nextOf('open')]);
    await publish(h, 'filtered', 'one', { tag: 'a', properties: { level: '5' } });
    await publish(h, 'filtered', 'two', { tag: 'b', properties: { level: '1' } });
    expect(JSON.parse((await byTag.nextOf('message')).data).body).toBe('two');
    expect(JSON.parse((await bySelector.nextOf('message')).data).body).toBe('one');
  });

  it('resumes from Last-Event-ID without loss: what was missed comes first, then live', async () => {
    await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'resume', queueCount: 4 } });
    const first = await events('/v1/topics/resume/events');
    await first.nextOf('open');
    for (let i = 0; i < 6; i++) await publish(h, 'resume', `m${i}`);
    const seen: string[] = [];
    let lastId = '';
    for (let i = 0; i < 3; i++) {
      const ev = await first.nextOf('message');
      seen.push(JSON.parse(ev.data).body);
      lastId = ev.id!;
    }
    first.close();
    // published while disconnected
    for (let i = 6; i < 9; i++) await publish(h, 'resume', `m${i}`);
    const resumed = await events('/v1/topics/resume/events', { 'last-event-id': lastId });
    const opened = await resumed.nextOf('open');
    expect(JSON.parse(opened.data).mode).toBe('resume');
    const rest: string[] = [];
    while (seen.length + rest.length < 9) rest.push(JSON.parse((await resumed.nextOf('message')).data).body);
    expect([...seen, ...rest].sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
    // and it goes on live
    await publish(h, 'resume', 'after');
    expect(JSON.parse((await resumed.nextOf('message')).data).body).toBe('after');
  });

  it('a client that saw only the open event resumes from its id', async () => {
    await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'early', queueCount: 2 } });
    const es = await events('/v1/topics/early/events');
    const opened = await es.nextOf('open');
    es.close();
    await publish(h, 'early', 'while-away');
    const again = await events('/v1/topics/early/events', { 'last-event-id': opened.id! });
    expect(JSON.parse((await again.nextOf('message')).data).body).toBe('while-away');
  });

  it('a named group shares messages between its connections and keeps its offsets', async () => {
    await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'shared', queueCount: 4 } });
    const a = await events('/v1/topics/shared/events?group=dash');
    await a.nextOf('open');
    const b = await events('/v1/topics/shared/events?group=dash');
    await b.nextOf('open');
    const group = await call(`${h.url}/v1/groups/dash`);
    expect(group.body.members.map((m: { protocol: string }) => m.protocol)).toEqual(['http', 'http']);
    const sent: string[] = [];
    const got = { a: new Set<string>(), b: new Set<string>() };
    const drain = async (c: SseClient, into: Set<string>) => {
      for (;;) {
        try {
          into.add(JSON.parse((await c.nextOf('message', 50)).data).body);
        } catch {
          return;
        }
      }
    };
    // once both members have rebalanced, each gets a share of the queues
    await waitFor(async () => {
      for (let q = 0; q < 4; q++) {
        const body = `s${sent.length}`;
        sent.push(body);
        await publish(h, 'shared', body, { shardingKey: `key-${q}` });
      }
      await Promise.all([drain(a, got.a), drain(b, got.b)]);
      return got.a.size > 0 && got.b.size > 0;
    }, 10_000, 'both members to receive');
    await waitFor(async () => {
      await Promise.all([drain(a, got.a), drain(b, got.b)]);
      return new Set([...got.a, ...got.b]).size === sent.length;
    }, 10_000, 'every message delivered');
    expect(new Set([...got.a, ...got.b])).toEqual(new Set(sent));
  });

  it('the per-connection group is removed when the stream closes', async () => {
    await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'ephemeral', queueCount: 1 } });
    const es = await events('/v1/topics/ephemeral/events');
    await es.nextOf('open');
    const sseGroups = async () => (await call(`${h.url}/v1/groups`)).body.groups.filter((g: { group: string; members: Array<{ subscriptions: Array<{ topic: string }> }> }) =>
      g.group.startsWith('http-sse-') && g.members.some((m) => m.subscriptions.some((s) => s.topic === 'ephemeral')));
    expect(await sseGroups()).toHaveLength(1);
    es.close();
    await waitFor(async () => (await sseGroups()).length === 0, 5_000, 'group removal');
    await waitFor(() => h.adapter.stats().sseStreams === 0, 5_000, 'stream count');
  });

  it('refuses a malformed Last-Event-ID, a bad selector and an unknown topic with JSON errors', async () => {
    await call(`${h.url}/v1/topics`, { method: 'POST', json: { topic: 'errs', queueCount: 1 } });
    const badId = await call(`${h.url}/v1/topics/errs/events`, { headers: { 'last-event-id': 'garbage' } });
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('INVALID_LAST_EVENT_ID');
    const badSelector = await call(`${h.url}/v1/topics/errs/events?selector=${encodeURIComponent('a >')}`);
    expect(badSelector.status).toBe(400);
    expect(badSelector.body.error.code).toBe('INVALID_FILTER');
    const both = await call(`${h.url}/v1/topics/errs/events?selector=a&tagExpression=b`);
    expect(both.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ in: 'query', path: '/selector' })] });
    const unknown = await call(`${h.url}/v1/topics/nope/events`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('TOPIC_NOT_FOUND');
  });
});
