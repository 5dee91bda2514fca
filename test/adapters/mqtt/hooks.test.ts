import type { Authenticator } from '../../../src/adapters/common/auth.js';
import { authenticateConnect, mayPublish, maySubscribe } from '../../../src/adapters/mqtt/hooks.js';
import { parseSharedFilter, safeName, sessionGroupName, sharedGroupName } from '../../../src/adapters/mqtt/shared-subs.js';
import { ReasonCode } from '../../../src/adapters/mqtt/reason-codes.js';

const seen: Array<[string, string, string | undefined]> = [];
const auth: Authenticator = {
  required: true,
  authenticate: (u, p) => (u === 'alice' && p === 'secret' ? { username: 'alice', readOnly: false, admin: false } : undefined),
  authenticateToken: () => undefined,
  authorize: (_p, action, topic, path) => (seen.push([action, topic, path]), topic !== 'secret'),
};

describe('authentication and ACL hooks', () => {
  test('credentials → principal or the CONNACK reason', () => {
    expect(authenticateConnect(auth, 'alice', Buffer.from('secret'))).toMatchObject({ ok: true });
    expect(authenticateConnect(auth, 'alice', Buffer.from('wrong'))).toMatchObject({ ok: false, reasonCode: ReasonCode.BadUserNameOrPassword });
    expect(authenticateConnect(auth, undefined, undefined)).toMatchObject({ ok: false, reasonCode: ReasonCode.NotAuthorized });
    expect(authenticateConnect(auth, undefined, Buffer.from('x'))).toMatchObject({ ok: false, reasonCode: ReasonCode.BadUserNameOrPassword });
  });

  test('the ACL sees the kernel topic and the full MQTT topic or filter', () => {
    expect(mayPublish(auth, undefined, 'orders/created/eu')).toBe(true);
    expect(maySubscribe(auth, undefined, 'secret/#')).toBe(false);
    expect(seen).toEqual([['publish', 'orders', 'orders/created/eu'], ['subscribe', 'secret', 'secret/#']]);
  });
});

describe('shared subscription names (MQTT 5 §4.8.2)', () => {
  test('$share/{ShareName}/{filter}', () => {
    expect(parseSharedFilter('$share/g1/orders/#')).toEqual({ shareName: 'g1', filter: 'orders/#' });
    for (const bad of ['$share/g1', '$share//a', '$share/g+/a', '$share/g/a#']) expect(parseSharedFilter(bad)).toHaveProperty('problem');
  });

  test('one kernel group per share name and filter; odd names are hashed into valid group names', () => {
    expect(sharedGroupName({ shareName: 'g', filter: 'a/#' })).toMatch(/^mqtt-share-g-[0-9a-f]{8}$/);
    expect(sharedGroupName({ shareName: 'g', filter: 'a/#' })).not.toBe(sharedGroupName({ shareName: 'g', filter: 'b/#' }));
    expect(sessionGroupName('device-1')).toBe('mqtt-session-device-1');
    expect(safeName('a/b c')).toMatch(/^~[0-9a-f]{20}$/);
  });
});
