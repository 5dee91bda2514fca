/**
 * The published OpenAPI document against the live server: every documented operation is
 * called at least once, and every JSON response is validated against the response schema
 * the document gives for its status (or `default`).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { call, openEvents, startHttp, startReceiver, type HttpHarness, type WebhookReceiver } from '../../test/adapters/http/helpers.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

describe('OpenAPI document (GET /v1/openapi.json) against live responses', () => {
  let h: HttpHarness;
  let receiver: WebhookReceiver;
  let doc: any;
  let operations: Operation[];
  const exercised = new Set<string>();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    h = await startHttp();
    receiver = await startReceiver();
    doc = (await call(`${h.url}/v1/openapi.json`)).body;
    ajv.addSchema(doc, 'openapi.json');
    operations = [];
    for (const [template, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
        operations.push({ method: method.toUpperCase(), template, pattern, responses: op.responses });
      }
    }
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  /** calls the server and checks the response against the document */
  async function checked(method: string, path: string, init: RequestInit & { json?: unknown } = {}) {
    const pathOnly = path.split('?')[0]!;
    const matches = operations.filter((o) => o.method === method && o.pattern.test(pathOnly));
    // a literal segment wins over a template (/v1/topics vs /v1/topics/{topic})
    const op = matches.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))[0];
    expect(op).toBeDefined();
    const res = await call(`${h.url}${path}`, { ...init, method });
    exercised.add(`${op!.method} ${op!.template}`);
    const documented = op!.responses[String(res.status)] ?? op!.responses.default;
    if (!documented) throw new Error(`${method} ${path} → ${res.status} is not documented`);
    const ct = (res.headers.get('content-type') ?? '').split(';')[0]!;
    if (ct === 'application/json') {
      const key = `${op!.method} ${op!.template} ${res.status in op!.responses ? res.status : 'default'}`;
      let validate = validators.get(key);
      if (!validate) {
        const pointer = `openapi.json#/paths/${op!.template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${res.status in op!.responses ? res.status : 'default'}/content/application~1json/schema`;
        validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
        validators.set(key, validate);
      }
      if (!validate(res.body)) throw new Error(`${method} ${path} → ${res.status} does not match the document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body)}`);
    } else if (res.status < 300 && documented.content) {
      expect(Object.keys(documented.content).map((c) => c.split(';')[0])).toContain(ct);
    }
    return res;
  }

  it('is OpenAPI 3.1 with components and security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['PublishRequest', 'ReceiveResponse', 'ErrorResponse', 'WebhookCreateRequest']));
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    // the schemas bite: a publish result without its fields is not one
    const publishResult = ajv.getSchema('openapi.json#/components/schemas/PublishResult')!;
    expect(publishResult({})).toBe(false);
    expect(publishResult({ msgId: 'A', topic: 't', queueId: 0, queueOffset: 1 })).toBe(true);
  });

  it('every operation answers as documented', async () => {
    await checked('POST', '/v1/topics', { json: { topic: 'oa', queueCount: 2 } });
    await checked('GET', '/v1/topics');
    await checked('GET', '/v1/topics/oa');
    await checked('GET', '/v1/topics/missing-topic');
    // consume: the group starts from its creation
    await checked('POST', '/v1/groups/oa-group/topics/oa/receive', { json: {} });
    const one = await checked('POST', '/v1/topics/oa/messages', { json: { body: 'x', keys: ['k-1'], tag: 'a' } });
    await checked('POST', '/v1/topics/oa/messages', { json: [{ body: '1' }, { body: 2 }] });
    await checked('POST', '/v1/topics/oa/messages', { json: [{ body: '1' }, { bad: true }] });
    await checked('POST', '/v1/topics/oa/messages', { body: 'raw', headers: { 'content-type': 'text/plain', 'x-message-tag': 'r' } });
    await checked('POST', '/v1/topics/oa/messages', { json: { body: 1, encoding: 'hex' } });
    await checked('GET', '/v1/topics/oa/messages?key=k-1');
    await checked('GET', `/v1/messages/${one.body.msgId}`);
    const got = await checked('POST', '/v1/groups/oa-group/topics/oa/receive', { json: { max: 2, waitMs: 5_000 } });
    const handles = got.body.messages.map((m: { receiptHandle: string }) => m.receiptHandle);
    expect(handles.length).toBeGreaterThan(0);
    const vis = await checked('POST', '/v1/groups/oa-group/topics/oa/visibility', { json: { receiptHandles: handles, invisibleMs: 60_000 } });
    const fresh = vis.body.results.map((r: { newReceiptHandle: string }) => r.newReceiptHandle);
    await checked('POST', '/v1/groups/oa-group/topics/oa/ack', { json: { receiptHandles: [fresh[0], 'bogus'] } });
    await checked('POST', '/v1/groups/oa-group/topics/oa/nack', { json: { receiptHandles: ['bogus'] } });
    await checked('POST', '/v1/groups/oa-group/topics/oa/ack', { json: { receiptHandles: fresh.slice(1).concat(fresh.length > 1 ? [] : ['bogus']) } });

    const es = await openEvents(`${h.url}/v1/topics/oa/events?group=oa-sse`);
    expect(es.status).toBe(200);
    expect(es.contentType).toMatch(/^text\/event-stream/);
    await es.nextOf('open');
    exercised.add('GET /v1/topics/{topic}/events');
    await checked('GET', '/v1/topics/oa/events', { headers: { 'last-event-id': 'nonsense' } });
    es.close();

    const hook = await checked('POST', '/v1/webhooks', { json: { topic: 'oa', url: receiver.url } });
    await checked('GET', '/v1/webhooks');
    await checked('GET', `/v1/webhooks/${hook.body.id}`);
    await checked('DELETE', `/v1/webhooks/${hook.body.id}`);
    await checked('GET', `/v1/webhooks/${hook.body.id}`);
    await checked('POST', '/v1/hooks/oa?tag=inbound', { json: { any: ['json'] } });

    await checked('GET', '/v1/groups');
    await checked('GET', '/v1/groups/oa-group');
    await checked('GET', '/v1/groups/oa-group/lag');
    await checked('POST', '/v1/groups/oa-group/offsets/reset', { json: { topic: 'oa', timestamp: 0 } });
    await checked('GET', '/v1/groups/oa-group/dead-letters');
    await checked('POST', '/v1/groups/oa-group/dead-letters/redrive', { json: {} });
    await checked('DELETE', '/v1/groups/oa-group');
    await checked('GET', '/v1/groups/oa-group');
    await checked('GET', '/v1/connections');
    await checked('GET', '/v1/admin/connections?protocol=mqtt');
    await checked('DELETE', '/v1/admin/connections/mqtt-1');
    await checked('GET', '/v1/admin/mqtt/retained?filter=%23');
    await checked('DELETE', '/v1/admin/mqtt/retained?filter=%23');
    await checked('GET', '/v1/admin/rates');
    await checked('GET', '/v1/admin/cluster');
    await checked('GET', '/v1/info');
    await checked('GET', '/v1/health');
    await checked('GET', '/metrics');
    await checked('GET', '/v1/openapi.json');
    await checked('DELETE', '/v1/topics/oa');

    const documented = operations.map((o) => `${o.method} ${o.template}`).sort();
    expect([...exercised].sort()).toEqual(documented);
  });
});
