/** Retained messages: delivery on subscribe, replacement, deletion, Retain Handling, persistence across restart. */
import { drain, inbox, nextMillisecond, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

test('[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8] a new subscription gets the last retained message per topic, with RETAIN set', async () => {
  const pub = await h.connect();
  await pub.publishAsync('ret/a', 'first', { qos: 1, retain: true });
  await pub.publishAsync('ret/a', 'second', { qos: 1, retain: true });
  await pub.publishAsync('ret/b/c', 'deep', { qos: 0, retain: true });
  await pub.publishAsync('ret/x', 'not retained', { qos: 1 });
  await nextMillisecond();
  const sub = await h.connect();
  const box = inbox(sub);
  await sub.subscribeAsync('ret/#', { qos: 1 });
  const got = await box.next(2);
  expect(got.map((m) => `${m.topic}=${m.payload}`).sort()).toEqual(['ret/a=second', 'ret/b/c=deep']);
  expect(got.every((m) => m.packet.retain)).toBe(true);
  // [MQTT-3.3.1-9] live messages on an established subscription have RETAIN 0
  const live = await drain(pub, box, 'ret/marker');
  expect(live).toHaveLength(0);
  await pub.publishAsync('ret/a', 'third', { qos: 1, retain: true });
  const [m] = await box.next(4);
  expect(m).toBeDefined();
  expect(box.all[3]).toMatchObject({ topic: 'ret/a' });
  expect(box.all[3]!.packet.retain).toBe(false);
});

test('[MQTT-3.3.1-10] [MQTT-3.3.1-11] an empty retained PUBLISH removes the retained message and is still delivered', async () => {
  const pub = await h.connect();
  await pub.publishAsync('gone/t', 'x', { qos: 1, retain: true });
  const live = await h.connect();
  const liveBox = inbox(live);
  await live.subscribeAsync('gone/t', { qos: 1 });
  await liveBox.next(1);
  await pub.publishAsync('gone/t', '', { qos: 1, retain: true });
  const [, empty] = await liveBox.next(2);
  expect(empty!.payload.length).toBe(0);
  await nextMillisecond();
  const late = await h.connect();
  const lateBox = inbox(late);
  await late.subscribeAsync('gone/#', { qos: 1 });
  expect(await drain(pub, lateBox, 'gone/marker')).toHaveLength(0);
});

test('MQTT 5 Retain Handling 1 and 2 [MQTT-3.3.1-10] [MQTT-3.3.1-11] and Retain As Published [MQTT-3.3.1-13]', async () => {
  const pub = await h.connect({ protocolVersion: 5 });
  await pub.publishAsync('rh/t', 'kept', { qos: 1, retain: true });
  await nextMillisecond();
  const sub = await h.connect({ protocolVersion: 5 });
  const box = inbox(sub);
  await sub.subscribeAsync('rh/t', { qos: 1, rh: 2 });
  expect(await drain(pub, box, 'rh/t')).toHaveLength(0);
  box.all.length = 0;
  await sub.subscribeAsync('rh/#', { qos: 1, rh: 1, rap: true });
  const [first] = await box.next(1);
  expect(first!.payload.toString()).toBe('kept');
  await sub.subscribeAsync('rh/#', { qos: 1, rh: 1, rap: true }); // exists: no retained again
  await pub.publishAsync('rh/t', 'live retained', { qos: 1, retain: true });
  const [, live] = await box.next(2);
  expect(live!.payload.toString()).toBe('live retained');
  expect(live!.packet.retain).toBe(true); // Retain As Published
});

test('retained messages persist across a restart', async () => {
  const pub = await h.connect();
  await pub.publishAsync('durable/config', 'v42', { qos: 1, retain: true });
  await h.restart();
  const sub = await h.connect();
  const box = inbox(sub);
  await sub.subscribeAsync('durable/+', { qos: 1 });
  const [m] = await box.next(1);
  expect(m!.topic).toBe('durable/config');
  expect(m!.payload.toString()).toBe('v42');
  expect(m!.packet.retain).toBe(true);
});
