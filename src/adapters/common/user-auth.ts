/**
 * The Authenticator built from the configured accounts (config key `users`), the same
 * for MQTT, STOMP and HTTP.
 *
 * Passwords: stored as `scrypt$N$r$p$<salt base64>$<key base64>` (printed by
 * `rocketgate hash-password`; defaults N=16384, r=8, p=1, 16-byte salt, 32-byte key),
 * checked with crypto.timingSafeEqual. A successful check is remembered as an HMAC of
 * the password under a per-process random key, so HTTP clients that send credentials
 * on every request pay for scrypt once, not per request. An unknown username costs the
 * same scrypt as a wrong password.
 *
 * HTTP bearer tokens: either one of a user's configured `tokens` (opaque secrets of at
 * least 16 characters, looked up by SHA-256 digest), or `base64(username:password)`.
 *
 * ACLs: each rule is `{pattern, actions}`, `pattern` an MQTT-style filter over
 * `topic/path` (the kernel topic, or the full protocol path when there is one):
 * `+` one level, `#` the rest (including none: `orders/#` covers `orders`), a whole
 * level `%u` is the username. A subscription filter is allowed when a rule covers every
 * topic it could match (`orders/#` allows `orders/+/eu`; `orders/created` does not allow
 * `orders/#`). Admin users may do anything on any topic; readOnly users never publish.
 * Anonymous clients (when allowed) get `anonymousAcl`, and admin rights only while no
 * user is configured.
 */
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { ANONYMOUS, type Authenticator, type Principal, type TopicAction } from './auth.js';

export interface AclRule {
  pattern: string;
  actions: readonly TopicAction[];
}

export interface UserAccount {
  username: string;
  passwordHash: string;
  admin?: boolean;
  readOnly?: boolean;
  tokens?: readonly string[];
  /** default: every topic, both actions */
  acl?: readonly AclRule[];
}

export interface UserAuthOptions {
  users: readonly UserAccount[];
  allowAnonymous: boolean;
  /** default: every topic, both actions */
  anonymousAcl?: readonly AclRule[];
}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 16384, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const FULL_ACCESS: readonly AclRule[] = [{ pattern: '#', actions: ['publish', 'subscribe'] }];

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

const scrypt = (password: string, salt: Buffer, length: number, params: ScryptParams): Buffer =>
  scryptSync(password.normalize('NFC'), salt, length, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 });

/** `scrypt$N$r$p$salt$key` for the `users[].passwordHash` config key */
export function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): string {
  const salt = randomBytes(SALT_BYTES);
  const key = scrypt(password, salt, KEY_BYTES, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export function parsePasswordHash(hash: string): ParsedHash | undefined {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const validN = Number.isInteger(N) && N > 1 && N <= 2 ** 20 && (N & (N - 1)) === 0;
  if (!validN || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || key.length < 16) return undefined;
  return { N, r, p, salt, key };
}

export function verifyPassword(password: string, hash: string): boolean {
  const parsed = parsePasswordHash(hash);
  if (!parsed) return false;
  return timingSafeEqual(scrypt(password, parsed.salt, parsed.key.length, parsed), parsed.key);
}

const split = (s: string): string[] => s.split('/');

/** true when every topic that `filter` matches is matched by `pattern` (both MQTT-style) */
export function filterCovered(pattern: readonly string[], filter: readonly string[]): boolean {
  const [p, ...pRest] = pattern;
  if (p === undefined) return filter.length === 0;
  if (p === '#') return true;
  const [f, ...fRest] = filter;
  if (f === undefined || f === '#') return false;
  if (p === '+') return filterCovered(pRest, fRest);
  return f === p && filterCovered(pRest, fRest);
}

/** the rule's pattern levels for this user, or undefined when `%u` cannot be substituted safely */
function patternFor(rule: AclRule, username: string): string[] | undefined {
  const levels = split(rule.pattern);
  if (!levels.includes('%u')) return levels;
  if (username === '' || /[/+#]/.test(username)) return undefined;
  return levels.map((l) => (l === '%u' ? username : l));
}

export function aclAllows(rules: readonly AclRule[], username: string, action: TopicAction, subject: string): boolean {
  const levels = split(subject);
  return rules.some((rule) => {
    if (!rule.actions.includes(action)) return false;
    const pattern = patternFor(rule, username);
    return pattern !== undefined && filterCovered(pattern, levels);
  });
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function createUserAuthenticator(options: UserAuthOptions): Authenticator {
  const users = new Map(options.users.map((u) => [u.username, u]));
  // The anonymous principal is recognised by its name, so no account may take it.
  if (users.has(ANONYMOUS.username)) throw new Error(`"${ANONYMOUS.username}" cannot be a configured username`);
  const byToken = new Map<string, UserAccount>();
  for (const user of options.users) for (const token of user.tokens ?? []) byToken.set(sha256(token), user);
  const anonymousAcl = options.anonymousAcl ?? FULL_ACCESS;
  const anonymousAllowed = options.allowAnonymous || users.size === 0;
  const anonymousAdmin = users.size === 0;
  /** username → HMAC of the last password that passed scrypt */
  const verified = new Map<string, Buffer>();
  const cacheKey = randomBytes(32);
  const dummyHash = hashPassword(randomBytes(12).toString('hex'));

  const principalOf = (user: UserAccount): Principal => ({
    username: user.username, admin: user.admin ?? false, readOnly: user.readOnly ?? false,
  });
  const anonymous = (username = ANONYMOUS.username): Principal | undefined =>
    anonymousAllowed ? { username, admin: anonymousAdmin, readOnly: false } : undefined;

  function checkPassword(user: UserAccount, password: string): boolean {
    const mac = createHmac('sha256', cacheKey).update(user.passwordHash).update('\0').update(password).digest();
    const known = verified.get(user.username);
    if (known && timingSafeEqual(known, mac)) return true;
    if (!verifyPassword(password, user.passwordHash)) return false;
    verified.set(user.username, mac);
    return true;
  }

  function authenticate(username: string | undefined, password: string | undefined): Principal | undefined {
    if (username === undefined || username === '') return anonymous();
    // No accounts configured: a username is only a name, with the anonymous rights.
    if (users.size === 0) return anonymous(username);
    const user = users.get(username);
    if (!user) {
      verifyPassword(password ?? '', dummyHash);
      return undefined;
    }
    return password !== undefined && checkPassword(user, password) ? principalOf(user) : undefined;
  }

  return {
    required: !anonymousAllowed,
    authenticate,
    authenticateToken(token) {
      if (token === undefined || token === '') return anonymous();
      const user = byToken.get(sha256(token));
      if (user) return principalOf(user);
      if (!/^[A-Za-z0-9+/]+=*$/.test(token)) return undefined;
      const decoded = Buffer.from(token, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) return undefined;
      return authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
    },
    authorize(principal, action, topic, path) {
      const subject = path ?? topic;
      const user = principal ? users.get(principal.username) : undefined;
      if (!user) {
        if (!anonymousAllowed) return false;
        return aclAllows(anonymousAcl, principal?.username ?? ANONYMOUS.username, action, subject);
      }
      if (action === 'publish' && user.readOnly) return false;
      if (user.admin) return true;
      return aclAllows(user.acl ?? FULL_ACCESS, user.username, action, subject);
    },
  };
}
