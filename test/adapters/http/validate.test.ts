import { HttpError } from '../../../src/adapters/http/errors.js';
import {
  AckRequest, COMPONENT_SCHEMAS, CreateTopicRequest, EventsQuery, PublishRequest, ReceiveRequest, WebhookCreateRequest,
} from '../../../src/adapters/http/schemas.js';
import { bodyChecker, bodyValidator, paramValidator } from '../../../src/adapters/http/validate.js';

function failure(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('expected a validation failure');
}

describe('request schemas (ajv, strict)', () => {
  it('every component schema compiles in strict mode', () => {
    for (const [name, schema] of Object.entries(COMPONENT_SCHEMAS)) {
      expect(() => bodyValidator(schema)).not.toThrow();
      expect(name).toBeTruthy();
    }
  });

  it('accepts a full publish request', () => {
    const v = bodyValidator<PublishRequest>(PublishRequest);
    const ok = v({ body: 'aGk=', encoding: 'base64', tag: 'created', keys: ['k1'], properties: { a: 'b' }, contentType: 'text/plain', shardingKey: 's', delayMs: 5, ttlMs: 100, deliverAt: '2030-01-01T00:00:00Z' });
    expect(ok.tag).toBe('created');
  });

  it('names the failing path of a publish request', () => {
    const v = bodyValidator(PublishRequest);
    expect(failure(() => v({})).details).toEqual([expect.objectContaining({ in: 'body', path: '/body', keyword: 'required' })]);
    expect(failure(() => v({ body: 'x', keys: ['ok', 'has space'] })).details).toEqual([expect.objectContaining({ path: '/keys/1', keyword: 'pattern' })]);
    expect(failure(() => v({ body: 'x', properties: { n: 1 } })).details).toEqual([expect.objectContaining({ path: '/properties/n', keyword: 'type' })]);
    expect(failure(() => v({ body: 'x', bogus: 1 })).details).toEqual([expect.objectContaining({ path: '/bogus', keyword: 'additionalProperties' })]);
    expect(failure(() => v({ body: 'x', tag: 'a||b' })).message).toBe('body/tag must match pattern "^(?!\\*$)(?!.*\\|\\|)[^/+#\\u0000-\\u001f\\u007f]+$"');
    expect(failure(() => v({ body: 'x', encoding: 'hex' })).details).toEqual([expect.objectContaining({ path: '/encoding', keyword: 'enum' })]);
    expect(failure(() => v({ body: 'x', deliverAt: 'tomorrow' })).code).toBe('VALIDATION_FAILED');
  });

  it('reports batch items under their index', () => {
    const check = bodyChecker(PublishRequest);
    expect(check({ body: 'x' }, '/0')).toBeUndefined();
    expect(check({ tag: 1 }, '/7')).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/7/body' }), expect.objectContaining({ path: '/7/tag' })]));
  });

  it('fills defaults and bounds receive requests', () => {
    const v = bodyValidator<ReceiveRequest>(ReceiveRequest);
    expect(v({})).toEqual({ max: 1, waitMs: 0, invisibleMs: 30_000 });
    expect(failure(() => v({ max: 33 })).details).toEqual([expect.objectContaining({ path: '/max', keyword: 'maximum' })]);
    expect(failure(() => v({ waitMs: -1 })).details).toEqual([expect.objectContaining({ path: '/waitMs' })]);
  });

  it('requires receipt handles', () => {
    const v = bodyValidator(AckRequest);
    expect(failure(() => v({ receiptHandles: [] })).details).toEqual([expect.objectContaining({ path: '/receiptHandles', keyword: 'minItems' })]);
  });

  it('checks webhook URLs and secrets', () => {
    const v = bodyValidator<WebhookCreateRequest>(WebhookCreateRequest);
    expect(v({ topic: 't', url: 'https://example.com/hook' })).toEqual({ topic: 't', url: 'https://example.com/hook', maxAttempts: 10, ordered: false });
    expect(failure(() => v({ topic: 't', url: 'ftp://example.com' })).details).toEqual([expect.objectContaining({ path: '/url', keyword: 'pattern' })]);
    expect(failure(() => v({ topic: 't', url: 'https://x', secret: 'short' })).details).toEqual([expect.objectContaining({ path: '/secret' })]);
    expect(failure(() => v({ topic: 'a/b', url: 'https://x' })).details).toEqual([expect.objectContaining({ path: '/topic' })]);
  });

  it('refuses topic names the kernel refuses', () => {
    const v = bodyValidator(CreateTopicRequest);
    for (const topic of ['a/b', 'a+b', 'a#', 'a\u0001b', '']) expect(() => v({ topic })).toThrow(HttpError);
    expect(v({ topic: 'orders.eu-1', queueCount: 4 })).toEqual({ topic: 'orders.eu-1', queueCount: 4 });
  });

  it('coerces query strings and reports the query path', () => {
    const q = paramValidator<Record<string, unknown>>({ type: 'object', additionalProperties: false, properties: { max: { type: 'integer', minimum: 1 }, system: { type: 'boolean', default: false } } }, 'query');
    expect(q({ max: '5' })).toEqual({ max: 5, system: false });
    expect(failure(() => q({ max: 'x' })).details).toEqual([expect.objectContaining({ in: 'query', path: '/max', keyword: 'type' })]);
    const events = paramValidator(EventsQuery, 'query');
    expect(failure(() => events({ nope: '1' })).details).toEqual([expect.objectContaining({ in: 'query', path: '/nope' })]);
  });
});
