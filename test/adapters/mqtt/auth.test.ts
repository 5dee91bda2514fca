/** Authentication and per-topic ACLs through context.auth, with the right CONNACK / SUBACK / PUBACK codes. */
import type { Authenticator, Principal } from '../../../src/adapters/common/auth.js';
import { connackOf, drain, granted, inbox, startHarness, type Harness } from './harness.js';

const auth: Authenticator = {
  required: true,
  authenticate: (u, p) => (u && p === `${u}-pw` ? { username: u, readOnly: false, admin: false } : undefined),
  authenticateToken: () => undefined,
  // users may use their own topic tree and read `public`
  authorize: (p: Principal | undefined, action, topic) => topic === p?.username || (action === 'subscribe' && topic === 'public'),
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ auth });
});
afterAll(async () => {
  await h.stop();
});

async function refusedConnack(opts: Parameters<Harness['connect']>[0]): Promise<number | undefined> {
  try {
    await h.connect(opts);
  } catch (err) {
    return (err as { code?: number }).code;
  }
  return undefined;
}

test('[MQTT-3.2.2-5] v3.1.1: bad credentials → CONNACK 4, anonymous → CONNACK 5, then close', async () => {
  expect(await refusedConnack({ username: 'alice', password: 'nope' })).toBe(4);
  expect(await refusedConnack({})).toBe(5);
  const ok = await h.connect({ username: 'alice', password: 'alice-pw' });
  expect(connackOf(ok).returnCode).toBe(0);
});

test('[MQTT-3.2.2-7] v5: bad credentials → CONNACK 0x86, anonymous → 0x87', async () => {
  expect(await refusedConnack({ protocolVersion: 5, username: 'alice', password: 'nope' })).toBe(0x86);
  expect(await refusedConnack({ protocolVersion: 5 })).toBe(0x87);
});

test('SUBACK: 0x80 in v3.1.1 [MQTT-3.9.3-2], 0x87 in v5 for a filter the ACL refuses', async () => {
  const v3 = await h.connect({ username: 'alice', password: 'alice-pw' });
  expect(await granted(v3, ['alice/#', 'bob/#', 'public/+'], { qos: 1 })).toEqual([1, 0x80, 1]);
  const v5 = await h.connect({ protocolVersion: 5, username: 'alice', password: 'alice-pw' });
  expect(await granted(v5, ['bob/#', 'alice/x'], { qos: 2 })).toEqual([0x87, 2]);
});

test('PUBLISH to a topic the ACL refuses: v5 PUBACK 0x87 and the connection stays; v3.1.1 closes [MQTT-3.3.5-2]', async () => {
  const bob = await h.connect({ protocolVersion: 5, username: 'bob', password: 'bob-pw' });
  const box = inbox(bob);
  await bob.subscribeAsync('bob/#', { qos: 1 });
  const alice5 = await h.connect({ protocolVersion: 5, username: 'alice', password: 'alice-pw' });
  await expect(alice5.publishAsync('bob/inbox', 'sneaky', { qos: 1 })).rejects.toMatchObject({ code: 0x87 });
  expect(alice5.connected).toBe(true);
  await alice5.publishAsync('alice/ok', 'fine', { qos: 1 });
  const alice3 = await h.connect({ username: 'alice', password: 'alice-pw' });
  const closed = new Promise<void>((r) => alice3.once('close', () => r()));
  alice3.publish('bob/inbox', 'sneaky', { qos: 1 });
  await closed;
  expect(await drain(bob, box, 'bob/marker')).toHaveLength(0);
  expect(await h.kernel.client.admin.topicStats('bob')).toMatchObject({ messageCount: 1 }); // only the marker
});

test('a will on a topic the ACL refuses is refused at CONNECT', async () => {
  expect(await refusedConnack({ protocolVersion: 5, username: 'alice', password: 'alice-pw', will: { topic: 'bob/will', payload: Buffer.from('x'), qos: 0, retain: false } })).toBe(0x87);
});
