/**
 * RocketMQ 5 request signing → our users (common/auth.ts), so a user has the same rights
 * over RocketMQ as over MQTT, STOMP and HTTP.
 *
 * A client with session credentials sends, on every call (rocketmq-clients docs/transport.md):
 *   x-mq-date-time: 20230913T063059Z
 *   authorization:  MQv2-HMAC-SHA1 Credential=<accessKey>, SignedHeaders=x-mq-date-time, Signature=<HEX>
 * where Signature = upper-case hex of HMAC-SHA1(accessSecret, x-mq-date-time).
 *
 * Access key = username; access secret = one of the user's `tokens` (the secrets HTTP
 * accepts as bearer tokens). A signature that verifies with a token is then resolved by
 * the shared Authenticator's `authenticateToken`, so the principal and its ACL are the
 * same as over HTTP. Without an authorization header the client is anonymous (refused
 * when the server requires credentials). With no credentials configured at all, the
 * access key is only a name (the Authenticator decides, as for an MQTT username).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Authenticator, Principal } from '../common/auth.js';
import type { RocketMqCredential } from './config.js';
import { Code, RocketMqError } from './errors.js';

export const SIGNATURE_ALGORITHM = 'MQv2-HMAC-SHA1';
export const DATE_TIME_HEADER = 'x-mq-date-time';

export interface ParsedAuthorization {
  algorithm: string;
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

/** `MQv2-HMAC-SHA1 Credential=ak, SignedHeaders=x-mq-date-time, Signature=HEX` → its parts */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const space = header.indexOf(' ');
  if (space <= 0) return undefined;
  const algorithm = header.slice(0, space);
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKey = fields.get('Credential');
  const signature = fields.get('Signature');
  if (!accessKey || !signature) return undefined;
  // Credential may carry a scope after the key (ak/20230913/...); the key is the first part
  const key = accessKey.split('/')[0]!;
  return { algorithm, accessKey: key, signedHeaders: (fields.get('SignedHeaders') ?? DATE_TIME_HEADER).split(';'), signature };
}

export function sign(secret: string, dateTime: string): string {
  return createHmac('sha1', secret).update(dateTime).digest('hex').toUpperCase();
}

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a.toUpperCase());
  const y = Buffer.from(b.toUpperCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

export class RocketMqAuth {
  private readonly secrets: Map<string, readonly string[]>;

  constructor(private readonly auth: Authenticator, credentials: readonly RocketMqCredential[]) {
    this.secrets = new Map(credentials.map((c) => [c.accessKey, c.secretKeys]));
  }

  /** the call's principal (undefined: anonymous and allowed); throws UNAUTHORIZED */
  authenticate(authorization: string | undefined, dateTime: string | undefined): Principal | undefined {
    if (authorization === undefined || authorization === '') {
      const anonymous = this.auth.authenticateToken(undefined);
      if (!anonymous && this.auth.required) throw new RocketMqError(Code.Unauthorized, 'credentials required: configure the client with an access key and secret');
      return anonymous;
    }
    const parsed = parseAuthorization(authorization);
    if (!parsed) throw new RocketMqError(Code.Unauthorized, 'malformed authorization header');
    if (parsed.algorithm !== SIGNATURE_ALGORITHM) throw new RocketMqError(Code.Unauthorized, `unsupported signature algorithm ${JSON.stringify(parsed.algorithm)}`);
    if (this.secrets.size === 0) {
      // no secrets configured: the access key is a name only
      const principal = this.auth.authenticate(parsed.accessKey, undefined);
      if (!principal) throw new RocketMqError(Code.Unauthorized, 'invalid credentials');
      return principal;
    }
    if (dateTime === undefined || !parsed.signedHeaders.includes(DATE_TIME_HEADER)) {
      throw new RocketMqError(Code.Unauthorized, `the signature must cover ${DATE_TIME_HEADER}`);
    }
    for (const secret of this.secrets.get(parsed.accessKey) ?? []) {
      if (!sameSignature(sign(secret, dateTime), parsed.signature)) continue;
      const principal = this.auth.authenticateToken(secret);
      if (principal && principal.username === parsed.accessKey) return principal;
    }
    throw new RocketMqError(Code.Unauthorized, 'invalid credentials');
  }

  authorize(principal: Principal | undefined, action: 'publish' | 'subscribe', topic: string): void {
    if (this.auth.authorize(principal, action, topic)) return;
    if (!principal && this.auth.required) throw new RocketMqError(Code.Unauthorized, 'credentials required');
    throw new RocketMqError(Code.Forbidden, `not allowed to ${action} on topic ${JSON.stringify(topic)}`);
  }

  /** QueryRoute and QueryAssignment serve producers and consumers alike */
  authorizeAny(principal: Principal | undefined, topic: string): void {
    if (this.auth.authorize(principal, 'publish', topic) || this.auth.authorize(principal, 'subscribe', topic)) return;
    this.authorize(principal, 'subscribe', topic);
  }
}
