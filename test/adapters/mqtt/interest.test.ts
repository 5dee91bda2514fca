import { deliveryFor, eligible, InterestCounter, readerInterest } from '../../../src/adapters/mqtt/interest.js';
import { widens } from '../../../src/adapters/mqtt/kernel-reader.js';
import type { Subscription } from '../../../src/adapters/mqtt/session.js';
import type { StoredMessage } from '../../../src/kernel/index.js';

const sub = (filter: string, extra: Partial<Subscription> = {}): Subscription => ({ filter, qos: 1, nl: false, rap: false, rh: 0, subscribedAt: 100, ...extra });

describe('kernel interest of a set of subscriptions', () => {
  test('filters per kernel topic combine their tags; level-1 wildcards need every topic', () => {
    const i = readerInterest([sub('a/x/#'), sub('a/y'), sub('b/#', { subscribedAt: 50 }), sub('+/z'), sub('$SYS/#')]);
    expect(Object.fromEntries(i.topics)).toEqual({ a: { tag: 'x || y', since: 100 }, b: { tag: '*', since: 50 } });
    expect(i.all).toEqual({ tag: 'z', since: 100 });
  });

  test('the counter follows subscriptions coming and going', () => {
    const c = new InterestCounter();
    const x = sub('a/x');
    const y = sub('a/y/#');
    c.add(x);
    c.add(y);
    c.add(sub('a/x')); // a second subscriber of the same tag
    expect(c.interest().topics.get('a')?.tag).toBe('x || y');
    c.remove(y);
    expect(c.interest().topics.get('a')?.tag).toBe('x');
    c.remove(x);
    c.remove(x);
    expect(c.interest().topics.size).toBe(0);
  });

  test('a widened tag expression is detected; a narrowed one is not', () => {
    expect(widens('a', 'a || b')).toBe(true);
    expect(widens('a || b', 'a')).toBe(false);
    expect(widens('a', '*')).toBe(true);
    expect(widens('*', 'a')).toBe(false);
  });
});

describe('who takes a message', () => {
  const message = { storeTimestamp: 150 } as StoredMessage;

  test('a subscription takes what was stored after it was made; a replay only goes to the newer subscriptions', () => {
    expect(eligible(sub('a', { subscribedAt: 100 }), message, undefined)).toBe(true);
    expect(eligible(sub('a', { subscribedAt: 200 }), message, undefined)).toBe(false);
    expect(eligible(sub('a', { subscribedAt: 100 }), message, { since: 120 })).toBe(false);
  });

  test('[MQTT-3.3.4-2] highest QoS, [MQTT-3.3.4-4] every identifier, [MQTT-3.8.3-3] No Local, [MQTT-3.3.1-12] RETAIN cleared unless Retain As Published', () => {
    const out = { topic: 'a/b', payload: Buffer.alloc(0), qos: 2 as const, retain: true, clientId: 'me' };
    expect(deliveryFor('other', out, [sub('a/#', { qos: 0, subscriptionId: 1 }), sub('a/+', { qos: 1, subscriptionId: 2 })])).toMatchObject({ qos: 1, retain: false, subscriptionIds: [1, 2] });
    expect(deliveryFor('me', out, [sub('a/#', { nl: true })])).toBeUndefined();
    expect(deliveryFor('other', out, [sub('a/#', { rap: true, qos: 2 })])).toMatchObject({ qos: 2, retain: true });
  });
});
