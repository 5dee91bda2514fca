/** $share/GROUP/filter: a kernel clustering group, each message to one member (MQTT 5 §4.8.2). */
import { drain, granted, inbox, nextMillisecond, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

test('each message goes to exactly one member of the share group, spread over the members', async () => {
  const members = await Promise.all([0, 1, 2].map((i) => h.connect({ protocolVersion: i === 2 ? 4 : 5, clientId: `worker-${i}` })));
  const boxes = members.map((m) => inbox(m));
  for (const m of members) await m.subscribeAsync('$share/workers/jobs/#', { qos: 1 });
  const plain = await h.connect();
  const plainBox = inbox(plain);
  await plain.subscribeAsync('jobs/#', { qos: 1 });
  const pub = await h.connect();
  const n = 60;
  for (let i = 0; i < n; i++) await pub.publishAsync(`jobs/${i}`, String(i), { qos: 1 });
  await plainBox.next(n); // an ordinary subscription still gets every message
  const deadline = Date.now() + 10_000;
  const total = (): number => boxes.reduce((s, b) => s + b.all.length, 0);
  while (total() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const ids = boxes.flatMap((b) => b.all.map((m) => Number(m.payload.toString()))).sort((a, b) => a - b);
  expect(ids).toEqual(Array.from({ length: n }, (_, i) => i));
  for (const b of boxes) expect(b.all.length).toBeGreaterThan(0);
  expect(boxes[0]!.all[0]!.topic).toMatch(/^jobs\//);
  expect((await h.kernel.client.admin.listGroups()).some((g) => g.group.startsWith('mqtt-share-workers-'))).toBe(true);
});

test('a message from the kernel producer reaches one share member; the group is a kernel clustering group', async () => {
  const a = await h.connect({ protocolVersion: 5 });
  const b = await h.connect({ protocolVersion: 5 });
  await a.subscribeAsync('$share/g2/alerts/+', { qos: 1 });
  await b.subscribeAsync('$share/g2/alerts/+', { qos: 1 });
  const producer = h.kernel.client.createProducer();
  await producer.send({ topic: 'alerts', tag: 'fire', body: Buffer.from('!') });
  await producer.shutdown();
  const deadline = Date.now() + 10_000;
  while (inbox(a).all.length + inbox(b).all.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await a.subscribeAsync('markers/a', { qos: 1 });
  const pub = await h.connect();
  await drain(pub, inbox(a), 'markers/a');
  expect(inbox(a).all.filter((m) => m.topic === 'alerts/fire').length + inbox(b).all.filter((m) => m.topic === 'alerts/fire').length).toBe(1);
});

test('[MQTT-3.8.3-4] No Local on a shared subscription is a protocol error; a malformed share name is refused with 0x8F', async () => {
  const c = await h.connect({ protocolVersion: 5 });
  expect(await granted(c, ['$share//bad', '$share/ok/a/#'], { qos: 1 })).toEqual([0x8f, 1]);
  const closed = new Promise<void>((r) => c.once('close', () => r()));
  c.subscribe('$share/g/x', { qos: 1, nl: true });
  await closed;
});

test('retained messages are not sent to a new shared subscription (v5 §4.8.2)', async () => {
  const pub = await h.connect();
  await pub.publishAsync('shret/t', 'retained', { qos: 1, retain: true });
  await nextMillisecond();
  const c = await h.connect({ protocolVersion: 5 });
  const box = inbox(c);
  await c.subscribeAsync('$share/r/shret/#', { qos: 1 });
  await c.subscribeAsync('shret/marker', { qos: 1 });
  expect(await drain(pub, box, 'shret/marker')).toHaveLength(0);
});
