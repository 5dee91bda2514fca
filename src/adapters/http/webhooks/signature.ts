/**
 * Standard Webhooks signatures (standardwebhooks.com, "Signature scheme"):
 *   signed content   = `${webhook-id}.${webhook-timestamp}.${body}`
 *   webhook-signature = `v1,<base64 HMAC-SHA256(key, signed content)>` (space-separated list on receipt)
 *   key              = base64-decoded part after `whsec_` for such secrets, the UTF-8 bytes otherwise
 *   webhook-timestamp = integer seconds since the epoch; receivers refuse stale ones.
 * Also GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>` for inbound hooks.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
export const SIGNATURE_VERSION = 'v1';

export function secretKey(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX) ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

export function sign(secret: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secretKey(secret));
  mac.update(`${id}.${timestampSeconds}.`);
  mac.update(body);
  return `${SIGNATURE_VERSION},${mac.digest('base64')}`;
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface VerifyInput {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
}

/** undefined when valid, else why not */
export function verifyStandard(secret: string, input: VerifyInput, toleranceMs: number, now = Date.now()): string | undefined {
  if (!input.id || !input.timestamp || !input.signature) return 'webhook-id, webhook-timestamp and webhook-signature are required';
  if (!/^\d+$/.test(input.timestamp)) return 'webhook-timestamp must be integer seconds';
  const ts = Number(input.timestamp);
  if (Math.abs(now - ts * 1000) > toleranceMs) return 'webhook-timestamp is outside the tolerance';
  const expected = sign(secret, input.id, ts, input.body);
  const offered = input.signature.split(' ').filter((s) => s.startsWith(`${SIGNATURE_VERSION},`));
  return offered.some((s) => equal(s, expected)) ? undefined : 'no matching v1 signature';
}

export function verifyGithub(secret: string, signature: string | undefined, body: Buffer): string | undefined {
  if (!signature) return 'X-Hub-Signature-256 is required';
  const expected = `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')}`;
  return equal(signature.trim(), expected) ? undefined : 'signature does not match';
}
