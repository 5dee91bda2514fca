import {
  aclAllows, createUserAuthenticator, filterCovered, hashPassword, parsePasswordHash, verifyPassword, type UserAccount,
} from '../../src/adapters/common/user-auth.js';

const FAST = { N: 1024, r: 8, p: 1 };
const token = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');

describe('password hashes', () => {
  test('hashPassword → scrypt$N$r$p$salt$key that verifyPassword accepts, with a fresh salt each time', () => {
    const a = hashPassword('s3cret', FAST);
    const b = hashPassword('s3cret', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(a).not.toBe(b);
    expect(verifyPassword('s3cret', a)).toBe(true);
    expect(verifyPassword('s3cret!', a)).toBe(false);
    expect(verifyPassword('', a)).toBe(false);
    expect(parsePasswordHash(a)).toMatchObject({ N: 1024, r: 8, p: 1 });
  });

  test('malformed hashes never verify', () => {
    for (const bad of ['', 'plain', 'scrypt$1000$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==', 'scrypt$1024$8$1$$', 'bcrypt$1$2$3$4$5']) {
      expect(parsePasswordHash(bad)).toBeUndefined();
      expect(verifyPassword('x', bad)).toBe(false);
    }
  });
});

describe('ACL patterns (MQTT-style over topic/path)', () => {
  const covers = (pattern: string, filter: string) => filterCovered(pattern.split('/'), filter.split('/'));

  test.each([
    ['#', 'orders', true],
    ['#', 'orders/created/eu', true],
    ['orders/#', 'orders', true],
    ['orders/#', 'orders/created', true],
    ['orders/#', 'payments/created', false],
    ['orders/+', 'orders/created', true],
    ['orders/+', 'orders', false],
    ['orders/+', 'orders/created/eu', false],
    ['orders/+/eu', 'orders/created/eu', true],
    ['orders/created', 'orders/created', true],
    ['orders/created', 'orders/Created', false],
    // subscription filters: allowed only when the pattern covers every topic they match
    ['orders/#', 'orders/+/eu', true],
    ['orders/#', 'orders/#', true],
    ['orders/+', 'orders/+', true],
    ['orders/+', 'orders/#', false],
    ['orders/created', 'orders/+', false],
    ['orders/+/#', 'orders/#', false],
    ['orders/created', '#', false],
  ])('pattern %s covers %s: %s', (pattern, filter, expected) => {
    expect(covers(pattern, filter)).toBe(expected);
  });

  test('%u stands for the username as a whole level, and never for a name with wildcards or slashes', () => {
    const rules = [{ pattern: 'devices/%u/#', actions: ['publish'] as const }];
    expect(aclAllows(rules, 'd1', 'publish', 'devices/d1/temp')).toBe(true);
    expect(aclAllows(rules, 'd1', 'publish', 'devices/d2/temp')).toBe(false);
    expect(aclAllows(rules, 'd1', 'subscribe', 'devices/d1/temp')).toBe(false);
    expect(aclAllows(rules, '+', 'publish', 'devices/x/temp')).toBe(false);
    expect(aclAllows(rules, 'a/b', 'publish', 'devices/a/b/temp')).toBe(false);
  });
});

describe('createUserAuthenticator', () => {
  const users: UserAccount[] = [
    { username: 'alice', passwordHash: hashPassword('alice-pw', FAST), admin: true },
    { username: 'bob', passwordHash: hashPassword('bob-pw', FAST), tokens: ['bob-token-0123456789'],
      acl: [{ pattern: 'orders/#', actions: ['publish', 'subscribe'] }, { pattern: 'prices/#', actions: ['subscribe'] }] },
    { username: 'carol', passwordHash: hashPassword('carol-pw', FAST), readOnly: true },
  ];

  test('no users configured: everyone is let in with admin rights and the anonymous ACL', () => {
    const auth = createUserAuthenticator({ users: [], allowAnonymous: true });
    expect(auth.required).toBe(false);
    expect(auth.authenticate(undefined, undefined)).toEqual({ username: 'anonymous', admin: true, readOnly: false });
    expect(auth.authenticate('dev', 'anything')).toEqual({ username: 'dev', admin: true, readOnly: false });
    expect(auth.authenticateToken(undefined)).toEqual({ username: 'anonymous', admin: true, readOnly: false });
    expect(auth.authorize(undefined, 'publish', 'orders')).toBe(true);
    const limited = createUserAuthenticator({ users: [], allowAnonymous: true, anonymousAcl: [{ pattern: 'public/#', actions: ['subscribe'] }] });
    expect(limited.authorize(limited.authenticate('dev', 'x'), 'subscribe', 'public', 'public/news')).toBe(true);
    expect(limited.authorize(limited.authenticate('dev', 'x'), 'publish', 'public', 'public/news')).toBe(false);
  });

  test('username and password: right, wrong, unknown, missing', () => {
    const auth = createUserAuthenticator({ users, allowAnonymous: false });
    expect(auth.required).toBe(true);
    expect(auth.authenticate('alice', 'alice-pw')).toEqual({ username: 'alice', admin: true, readOnly: false });
    expect(auth.authenticate('alice', 'alice-pw')).toEqual({ username: 'alice', admin: true, readOnly: false });
    expect(auth.authenticate('alice', 'bob-pw')).toBeUndefined();
    expect(auth.authenticate('mallory', 'x')).toBeUndefined();
    expect(auth.authenticate('alice', undefined)).toBeUndefined();
    expect(auth.authenticate(undefined, undefined)).toBeUndefined();
  });

  test('a remembered password does not let another password in', () => {
    const auth = createUserAuthenticator({ users, allowAnonymous: false });
    expect(auth.authenticate('bob', 'bob-pw')).toBeDefined();
    expect(auth.authenticate('bob', 'bob-pw2')).toBeUndefined();
    expect(auth.authenticate('bob', 'bob-pw')).toBeDefined();
  });

  test('bearer tokens: configured tokens and base64(username:password)', () => {
    const auth = createUserAuthenticator({ users, allowAnonymous: false });
    expect(auth.authenticateToken('bob-token-0123456789')).toEqual({ username: 'bob', admin: false, readOnly: false });
    expect(auth.authenticateToken(token('carol', 'carol-pw'))).toEqual({ username: 'carol', admin: false, readOnly: true });
    expect(auth.authenticateToken(token('carol', 'wrong'))).toBeUndefined();
    expect(auth.authenticateToken('bob-token-012345678')).toBeUndefined();
    expect(auth.authenticateToken('not base64!')).toBeUndefined();
    expect(auth.authenticateToken(Buffer.from('nocolon').toString('base64'))).toBeUndefined();
    expect(auth.authenticateToken(undefined)).toBeUndefined();
  });

  test('ACLs: per-user rules, admin bypass, readOnly never publishes, anonymous rules when allowed', () => {
    const auth = createUserAuthenticator({
      users, allowAnonymous: true, anonymousAcl: [{ pattern: 'public/#', actions: ['subscribe'] }],
    });
    expect(auth.required).toBe(false);
    const alice = auth.authenticate('alice', 'alice-pw');
    const bob = auth.authenticate('bob', 'bob-pw');
    const carol = auth.authenticate('carol', 'carol-pw');
    const anonymous = auth.authenticate(undefined, undefined);
    expect(anonymous).toEqual({ username: 'anonymous', admin: false, readOnly: false });

    expect(auth.authorize(alice, 'publish', 'anything', 'anything/at/all')).toBe(true);
    expect(auth.authorize(bob, 'publish', 'orders', 'orders/created')).toBe(true);
    expect(auth.authorize(bob, 'subscribe', 'orders', 'orders/+/eu')).toBe(true);
    expect(auth.authorize(bob, 'publish', 'orders')).toBe(true);
    expect(auth.authorize(bob, 'publish', 'prices', 'prices/eur')).toBe(false);
    expect(auth.authorize(bob, 'subscribe', 'prices', 'prices/eur')).toBe(true);
    expect(auth.authorize(bob, 'subscribe', 'payments')).toBe(false);
    expect(auth.authorize(carol, 'subscribe', 'orders')).toBe(true);
    expect(auth.authorize(carol, 'publish', 'orders')).toBe(false);
    expect(auth.authorize(anonymous, 'subscribe', 'public', 'public/news')).toBe(true);
    expect(auth.authorize(undefined, 'subscribe', 'public', 'public/news')).toBe(true);
    expect(auth.authorize(anonymous, 'publish', 'public', 'public/news')).toBe(false);
    expect(auth.authorize(anonymous, 'subscribe', 'orders')).toBe(false);
  });

  test('without anonymous access, an unauthenticated principal may do nothing', () => {
    const auth = createUserAuthenticator({ users, allowAnonymous: false });
    expect(auth.authorize(undefined, 'subscribe', 'orders')).toBe(false);
    expect(auth.authorize({ username: 'mallory', admin: true, readOnly: false }, 'subscribe', 'orders')).toBe(false);
  });

  test('"anonymous" cannot be a configured username', () => {
    expect(() => createUserAuthenticator({ users: [{ username: 'anonymous', passwordHash: users[0]!.passwordHash }], allowAnonymous: true }))
      .toThrow(/cannot be a configured username/);
  });
});
