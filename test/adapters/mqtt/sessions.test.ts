/** Persistent sessions: subscriptions and missed messages across disconnects and a server restart. */
import { connackOf, drain, inbox, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { sessionMaxMessages: 50 } });
});
afterAll(async () => {
  await h.stop();
});

test('[MQTT-3.1.2-4] [MQTT-3.2.2-2] v3.1.1 CleanSession 0: subscriptions and missed QoS 1 messages survive a disconnect', async () => {
  const first = await h.connect({ clientId: 'p311', clean: false });
  expect(first.connected).toBe(true);
  await first.subscribeAsync('news/#', { qos: 1 });
  await first.endAsync();
  const pub = await h.connect();
  for (let i = 0; i < 5; i++) await pub.publishAsync(`news/${i}`, `n${i}`, { qos: 1 });
  const again = await h.connect({ clientId: 'p311', clean: false });
  const box = inbox(again);
  const got = await box.next(5);
  expect(got.map((m) => m.payload.toString())).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
});

test('[MQTT-3.2.2-2] Session Present is set when a session was resumed; [MQTT-3.1.2-6] CleanSession 1 discards it', async () => {
  const a = await h.connect({ clientId: 'present', clean: false });
  await a.subscribeAsync('present/t', { qos: 1 });
  await a.endAsync();
  expect(connackOf(a).sessionPresent).toBe(false); // [MQTT-3.2.2-3]
  const b = await h.connect({ clientId: 'present', clean: false });
  expect(connackOf(b).sessionPresent).toBe(true);
  await b.endAsync();
  const c = await h.connect({ clientId: 'present', clean: true });
  expect(connackOf(c).sessionPresent).toBe(false); // [MQTT-3.2.2-1]
  await c.endAsync();
  const pub = await h.connect();
  await pub.publishAsync('present/t', 'lost', { qos: 1 });
  const d = await h.connect({ clientId: 'present', clean: false });
  const box = inbox(d);
  await d.subscribeAsync('present/marker', { qos: 1 });
  expect(await drain(pub, box, 'present/marker')).toHaveLength(0);
});

test('a persistent session receives what was published while it was away and the server restarted', async () => {
  const v5 = await h.connect({ protocolVersion: 5, clientId: 'p5', clean: true, properties: { sessionExpiryInterval: 3600 } });
  await v5.subscribeAsync('fleet/+/status', { qos: 1 });
  await v5.subscribeAsync('#', { qos: 0 }); // also spans topics created while away
  await v5.endAsync();
  const pub = await h.connect();
  await pub.publishAsync('fleet/t1/status', 'before restart', { qos: 1 });
  await h.restart();
  const producer = h.kernel.client.createProducer();
  await producer.send({ topic: 'fleet', tag: 't2', path: 'fleet/t2/status', body: Buffer.from('from the kernel') });
  await producer.send({ topic: 'newtopic', body: Buffer.from('new topic after restart') });
  await producer.shutdown();
  const pub2 = await h.connect();
  await pub2.publishAsync('fleet/t3/status', 'after restart', { qos: 1 });
  const back = await h.connect({ protocolVersion: 5, clientId: 'p5', clean: false, properties: { sessionExpiryInterval: 3600 } });
  const box = inbox(back);
  const got = await box.next(4);
  expect(got.map((m) => m.payload.toString()).sort()).toEqual(['after restart', 'before restart', 'from the kernel', 'new topic after restart']);
});

test('unacknowledged QoS 1 messages are sent again after a reconnect [MQTT-4.4.0-1]', async () => {
  const a = await h.connect({ clientId: 'unacked', clean: false });
  await a.subscribeAsync('unacked/t', { qos: 1 });
  // the client takes the PUBLISH but never acknowledges it
  (a as unknown as { handleMessage: (p: unknown, cb: (err?: Error) => void) => void }).handleMessage = () => undefined;
  const pub = await h.connect();
  const received = new Promise<void>((resolve) => a.once('packetreceive', (p) => p.cmd === 'publish' && resolve()));
  await pub.publishAsync('unacked/t', 'again', { qos: 1 });
  await received;
  a.stream.destroy();
  const b = await h.connect({ clientId: 'unacked', clean: false });
  const box = inbox(b);
  const [m] = await box.next(1);
  expect(m!.payload.toString()).toBe('again');
  expect(m!.packet.dup).toBe(true);
});

test('after an absence at most sessionMaxMessages of the backlog are sent', async () => {
  const a = await h.connect({ clientId: 'capped', clean: false });
  await a.subscribeAsync('capped/t', { qos: 1 });
  await a.endAsync();
  const pub = await h.connect();
  await Promise.all(Array.from({ length: 80 }, (_, i) => pub.publishAsync('capped/t', String(i), { qos: 1 })));
  const b = await h.connect({ clientId: 'capped', clean: false });
  const box = inbox(b);
  await box.next(50);
  const extra = await drain(pub, box, 'capped/t');
  expect(box.all.slice(0, 50).map((m) => Number(m.payload.toString()))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  expect(extra).toHaveLength(0);
});

test('MQTT 5 Session Expiry: the session ends when its interval passes', async () => {
  const a = await h.connect({ protocolVersion: 5, clientId: 'expiring', properties: { sessionExpiryInterval: 1 } });
  await a.subscribeAsync('exp/t', { qos: 1 });
  await a.endAsync();
  await new Promise((r) => setTimeout(r, 1_300)); // the interval itself is what is tested
  const b = await h.connect({ protocolVersion: 5, clientId: 'expiring', clean: false, properties: { sessionExpiryInterval: 1 } });
  expect(connackOf(b).sessionPresent).toBe(false);
  expect((await h.kernel.client.admin.listGroups()).map((g) => g.group)).not.toContain('mqtt-session-expiring');
});
