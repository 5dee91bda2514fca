import { createHmac } from 'node:crypto';
import { generateSecret, secretKey, sign, verifyGithub, verifyStandard } from '../../../src/adapters/http/webhooks/signature.js';

// the published Standard Webhooks test vector (standardwebhooks.com reference libraries)
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signatures', () => {
  it('reproduces the reference test vector', () => {
    expect(sign(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('uses the UTF-8 bytes of a secret without the whsec_ prefix', () => {
    const expected = createHmac('sha256', 'plain-secret-key-123').update(`a.1.{}`).digest('base64');
    expect(secretKey('plain-secret-key-123').toString('utf8')).toBe('plain-secret-key-123');
    expect(sign('plain-secret-key-123', 'a', 1, '{}')).toBe(`v1,${expected}`);
  });

  it('verifies a signature list and refuses stale timestamps and wrong signatures', () => {
    const now = VECTOR.timestamp * 1000;
    const input = { id: VECTOR.id, timestamp: String(VECTOR.timestamp), signature: `v1,bm9wZQ== ${VECTOR.signature}`, body: Buffer.from(VECTOR.body) };
    expect(verifyStandard(VECTOR.secret, input, 300_000, now)).toBeUndefined();
    expect(verifyStandard(VECTOR.secret, input, 300_000, now + 301_000)).toMatch(/tolerance/);
    expect(verifyStandard(VECTOR.secret, { ...input, body: Buffer.from('{"test": 1}') }, 300_000, now)).toMatch(/no matching/);
    expect(verifyStandard(VECTOR.secret, { ...input, signature: undefined }, 300_000, now)).toMatch(/required/);
  });

  it('checks GitHub sha256= signatures', () => {
    const body = Buffer.from('{"zen":"Keep it logically awesome."}');
    const good = `sha256=${createHmac('sha256', 'gh-secret').update(body).digest('hex')}`;
    expect(verifyGithub('gh-secret', good, body)).toBeUndefined();
    expect(verifyGithub('other', good, body)).toBe('signature does not match');
    expect(verifyGithub('gh-secret', undefined, body)).toMatch(/required/);
  });

  it('generates whsec_ secrets of 24 random bytes', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(secretKey(a)).toHaveLength(24);
    expect(generateSecret()).not.toBe(a);
  });
});
