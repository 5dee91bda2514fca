import { ERROR_STATUS, HttpError, toHttpError, validationError } from '../../../src/adapters/http/errors.js';
import { KernelError, KernelErrorCode } from '../../../src/kernel/index.js';

describe('HTTP error catalogue', () => {
  it('has a status for every kernel error code', () => {
    for (const code of Object.values(KernelErrorCode)) expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
  });

  it.each([
    [KernelErrorCode.TopicNotFound, 404],
    [KernelErrorCode.InvalidReceiptHandle, 400],
    [KernelErrorCode.MessageTooLarge, 413],
    [KernelErrorCode.Forbidden, 403],
    [KernelErrorCode.StoreFull, 507],
    [KernelErrorCode.ServiceUnavailable, 503],
    [KernelErrorCode.Timeout, 504],
  ])('maps KernelError %s to %i keeping the code', (code, status) => {
    const e = toHttpError(new KernelError(code, 'boom'));
    expect(e.status).toBe(status);
    expect(e.toBody()).toEqual({ error: { code, message: 'boom' } });
  });

  it('maps body-parser size errors to 413 PAYLOAD_TOO_LARGE', () => {
    const e = toHttpError(Object.assign(new Error('request entity too large'), { type: 'entity.too.large', limit: 10 }));
    expect(e.status).toBe(413);
    expect(e.toBody()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body exceeds 10 bytes', details: { limit: 10 } } });
  });

  it('hides unexpected errors behind 500 INTERNAL', () => {
    const e = toHttpError(new TypeError('secret detail'));
    expect(e.status).toBe(500);
    expect(e.toBody().error).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });

  it('reports the first failing path of a validation error', () => {
    const e = validationError([{ in: 'body', path: '/3/tag', message: 'must be string' }, { in: 'body', path: '/4', message: 'x' }]);
    expect(e).toBeInstanceOf(HttpError);
    expect(e.status).toBe(400);
    expect(e.message).toBe('body/3/tag must be string');
    expect((e.details as unknown[]).length).toBe(2);
  });
});
