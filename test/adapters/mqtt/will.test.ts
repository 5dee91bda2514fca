/** Will messages: published on an abnormal close, discarded on DISCONNECT, MQTT 5 Will Delay. */
import { drain, inbox, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

test('[MQTT-3.1.2-8] the will is published when the connection closes without DISCONNECT', async () => {
  const watcher = await h.connect();
  const box = inbox(watcher);
  await watcher.subscribeAsync('wills/#', { qos: 1 });
  const dying = await h.connect({ clientId: 'dying', will: { topic: 'wills/dying', payload: Buffer.from('gone'), qos: 1, retain: true } });
  dying.stream.destroy();
  const [m] = await box.next(1);
  expect(m!.topic).toBe('wills/dying');
  expect(m!.payload.toString()).toBe('gone');
  // a retained will is retained [MQTT-3.1.2-15]
  const late = await h.connect();
  const lateBox = inbox(late);
  await late.subscribeAsync('wills/dying', { qos: 1 });
  await lateBox.next(1);
});

test('[MQTT-3.14.4-3] [MQTT-3.1.2-10] a DISCONNECT discards the will', async () => {
  const watcher = await h.connect();
  const box = inbox(watcher);
  await watcher.subscribeAsync('polite/#', { qos: 1 });
  const polite = await h.connect({ clientId: 'polite', will: { topic: 'polite/will', payload: Buffer.from('x'), qos: 1, retain: false } });
  await polite.endAsync();
  expect(await drain(watcher, box, 'polite/marker')).toHaveLength(0);
});

test('MQTT 5: DISCONNECT with 0x04 publishes the will', async () => {
  const watcher = await h.connect();
  const box = inbox(watcher);
  await watcher.subscribeAsync('w4/#', { qos: 1 });
  const c = await h.connect({ protocolVersion: 5, clientId: 'w4', will: { topic: 'w4/will', payload: Buffer.from('asked'), qos: 1, retain: false } });
  await c.endAsync(false, { reasonCode: 0x04 });
  const [m] = await box.next(1);
  expect(m!.payload.toString()).toBe('asked');
});

test('[MQTT-3.1.3-9] MQTT 5 Will Delay: a reconnect within the delay cancels the will; otherwise it is sent after the delay', async () => {
  const watcher = await h.connect();
  const box = inbox(watcher);
  await watcher.subscribeAsync('delayed/#', { qos: 1 });
  const will = { topic: 'delayed/will', payload: Buffer.from('late'), qos: 1 as const, retain: false, properties: { willDelayInterval: 1 } };
  const first = await h.connect({ protocolVersion: 5, clientId: 'delayed', clean: false, properties: { sessionExpiryInterval: 60 }, will });
  first.stream.destroy();
  const second = await h.connect({ protocolVersion: 5, clientId: 'delayed', clean: false, properties: { sessionExpiryInterval: 60 }, will });
  expect(await drain(watcher, box, 'delayed/marker')).toHaveLength(0);
  const started = Date.now();
  second.stream.destroy();
  const [m] = await box.next(2);
  expect(box.all[1]!.payload.toString()).toBe('late');
  expect(m).toBeDefined();
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
});
