/** MQTT ↔ kernel: topic mapping, tags, properties, level-1 wildcards (DESIGN.md §5). */
import { ConsumeStatus, type StoredMessage } from '../../../src/kernel/index.js';
import { inbox, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

test('a message from the kernel Producer reaches an MQTT subscriber with tag and properties intact', async () => {
  const sub = await h.connect({ protocolVersion: 5 });
  const box = inbox(sub);
  await sub.subscribeAsync('orders/created', { qos: 1 });
  const producer = h.kernel.client.createProducer();
  await producer.send({
    topic: 'orders', tag: 'created', body: Buffer.from('{"id":1}'), contentType: 'application/json',
    properties: { region: 'eu', tenant: 't1' }, keys: ['order-1'], correlationId: 'corr-1', replyTo: 'orders/replies',
  });
  const [m] = await box.next(1);
  expect(m!.topic).toBe('orders/created'); // no path: topic/tag
  expect(m!.payload.toString()).toBe('{"id":1}');
  expect(m!.packet.qos).toBe(1);
  expect(m!.packet.properties).toMatchObject({
    contentType: 'application/json',
    userProperties: { region: 'eu', tenant: 't1', keys: 'order-1' },
    responseTopic: 'orders/replies',
  });
  expect(m!.packet.properties!.correlationData!.toString()).toBe('corr-1');
  await producer.shutdown();
});

test('an MQTT PUBLISH reaches a kernel consumer as topic, tag, path and properties', async () => {
  const got: StoredMessage[] = [];
  const consumer = h.kernel.client.createPushConsumer({ group: 'interop-kernel', pullSuspendMs: 200, rebalanceIntervalMs: 100 });
  consumer.subscribe('devices', 'd1');
  await consumer.start(async (m) => {
    got.push(m);
    return ConsumeStatus.Success;
  });
  const pub = await h.connect({ protocolVersion: 5, clientId: 'device-1' });
  await pub.publishAsync('devices/d1/telemetry', 'v=1', { qos: 1, properties: { userProperties: { unit: 'C' }, contentType: 'text/plain' } });
  await pub.publishAsync('devices/d2/telemetry', 'other tag', { qos: 1 });
  const deadline = Date.now() + 10_000;
  while (got.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await consumer.shutdown(0);
  expect(got).toHaveLength(1);
  expect(got[0]).toMatchObject({ topic: 'devices', tag: 'd1', path: 'devices/d1/telemetry', contentType: 'text/plain', shardingKey: 'device-1' });
  expect(got[0]!.properties).toMatchObject({ unit: 'C', 'mqtt.qos': '1', 'mqtt.clientId': 'device-1' });
});

test('levels 3+ match MQTT filters exactly', async () => {
  const sub = await h.connect();
  const box = inbox(sub);
  await sub.subscribeAsync('plant/line1/+/temp', { qos: 1 });
  const pub = await h.connect();
  await pub.publishAsync('plant/line1/m1/pressure', 'no', { qos: 1 });
  await pub.publishAsync('plant/line2/m1/temp', 'no', { qos: 1 });
  await pub.publishAsync('plant/line1/m2/temp', 'yes', { qos: 1 });
  const [m] = await box.next(1);
  expect(m!.topic).toBe('plant/line1/m2/temp');
  expect(box.all).toHaveLength(1);
});

test('wildcards + and # at level 1 span kernel topics, including ones created later; overlapping subscriptions give one copy [MQTT-3.3.5-1]', async () => {
  const sub = await h.connect();
  const box = inbox(sub);
  await sub.subscribeAsync('#', { qos: 1 });
  await sub.subscribeAsync('+/alarm', { qos: 1 });
  const producer = h.kernel.client.createProducer();
  await producer.send({ topic: 'brandnew1', tag: 'alarm', body: Buffer.from('a') }); // created after the subscription
  const pub = await h.connect();
  await pub.publishAsync('brandnew2/x/y', 'b', { qos: 1 });
  const got = await box.next(2);
  expect(got.map((m) => m.topic).sort()).toEqual(['brandnew1/alarm', 'brandnew2/x/y']);
  await producer.shutdown();
});

test('# does not span `$` or system topics [MQTT-4.7.2-1]; publishing to `$` topics is refused', async () => {
  const sub = await h.connect();
  const box = inbox(sub);
  await sub.subscribeAsync('#', { qos: 0 });
  const pub = await h.connect({ protocolVersion: 5 });
  await expect(pub.publishAsync('$SYS/x', 'nope', { qos: 1 })).rejects.toThrow();
  await pub.publishAsync('retained-probe/x', 'r', { qos: 1, retain: true });
  await box.next(1);
  expect(box.all.map((m) => m.topic)).toEqual(['retained-probe/x']);
});
