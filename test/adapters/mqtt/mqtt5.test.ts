/** MQTT 5 features: properties carried through, topic alias, flow control, subscription options, reason codes. */
import { connect as netConnect } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { drain, granted, inbox, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { maxInflight: 20 } });
});
afterAll(async () => {
  await h.stop();
});

test('[MQTT-3.3.2-4] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-20] properties reach the subscriber unaltered; [MQTT-3.3.2-6] expiry counts down', async () => {
  const sub = await h.connect({ protocolVersion: 5 });
  const box = inbox(sub);
  await sub.subscribeAsync('props/#', { qos: 1 });
  const pub = await h.connect({ protocolVersion: 5, clientId: 'props-pub' });
  const correlationData = Buffer.from([1, 2, 255]);
  await pub.publishAsync('props/a/b', 'payload', {
    qos: 1,
    properties: { contentType: 'text/x', responseTopic: 'props/reply', correlationData, payloadFormatIndicator: true, messageExpiryInterval: 300, userProperties: { a: '1', b: ['2', '3'] } },
  });
  const [m] = await box.next(1);
  const p = m!.packet.properties!;
  expect(p).toMatchObject({ contentType: 'text/x', responseTopic: 'props/reply', payloadFormatIndicator: true, userProperties: { a: '1', b: ['2', '3'] } });
  expect(Buffer.compare(p.correlationData!, correlationData)).toBe(0);
  expect(p.messageExpiryInterval).toBeGreaterThan(0);
  expect(p.messageExpiryInterval).toBeLessThanOrEqual(300);
});

test('[MQTT-3.3.2-5] an expired message is not delivered to a session that was away', async () => {
  const a = await h.connect({ protocolVersion: 5, clientId: 'expiry-sub', properties: { sessionExpiryInterval: 60 } });
  await a.subscribeAsync('ttl/#', { qos: 1 });
  await a.endAsync();
  const pub = await h.connect({ protocolVersion: 5 });
  await pub.publishAsync('ttl/short', 'dies', { qos: 1, properties: { messageExpiryInterval: 1 } });
  await pub.publishAsync('ttl/long', 'lives', { qos: 1, properties: { messageExpiryInterval: 60 } });
  await new Promise((r) => setTimeout(r, 1_100)); // the expiry itself is what is tested
  const b = await h.connect({ protocolVersion: 5, clientId: 'expiry-sub', clean: false, properties: { sessionExpiryInterval: 60 } });
  const box = inbox(b);
  await drain(pub, box, 'ttl/marker');
  expect(box.all.map((m) => m.payload.toString())).toEqual(['lives', expect.stringMatching(/^marker-/)]);
});

test('[MQTT-3.3.2-12] inbound topic aliases; an alias above the maximum is DISCONNECT 0x94', async () => {
  const sub = await h.connect();
  const box = inbox(sub);
  await sub.subscribeAsync('alias/#', { qos: 1 });
  const pub = await h.connect({ protocolVersion: 5 });
  await pub.publishAsync('alias/long/topic/name', 'first', { qos: 1, properties: { topicAlias: 3 } });
  await pub.publishAsync('', 'second', { qos: 1, properties: { topicAlias: 3 } });
  const got = await box.next(2);
  expect(got.map((m) => `${m.topic}=${m.payload}`)).toEqual(['alias/long/topic/name=first', 'alias/long/topic/name=second']);
  // the mqtt client refuses to send an alias above our maximum, so a bare socket does
  const socket = netConnect({ port: Number(new URL(h.url).port), host: '127.0.0.1' });
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p: mqttPacket.Packet) => packets.push(p));
  socket.on('data', (b) => parser.parse(b));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(Buffer.concat([
    mqttPacket.generate({ cmd: 'connect', clientId: 'bad-alias', protocolVersion: 5, protocolId: 'MQTT', clean: true, keepalive: 0 }, { protocolVersion: 5 }),
    mqttPacket.generate({ cmd: 'publish', topic: 'alias/x', payload: Buffer.from('y'), qos: 0, retain: false, dup: false, properties: { topicAlias: 60_000 } }, { protocolVersion: 5 }),
  ]));
  await closed;
  expect(packets.find((p) => p.cmd === 'disconnect')).toMatchObject({ reasonCode: 0x94 });
});

test('[MQTT-3.3.4-9] the gateway never has more unacknowledged QoS 1 PUBLISH to a client than its Receive Maximum', async () => {
  const port = Number(new URL(h.url).port);
  const socket = netConnect({ port, host: '127.0.0.1' });
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  const publishes: mqttPacket.IPublishPacket[] = [];
  parser.on('packet', (p: mqttPacket.Packet) => {
    if (p.cmd === 'publish') publishes.push(p);
  });
  socket.on('data', (b) => parser.parse(b));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const send = (p: mqttPacket.Packet): void => void socket.write(mqttPacket.generate(p, { protocolVersion: 5 }));
  send({ cmd: 'connect', clientId: 'slow', protocolVersion: 5, protocolId: 'MQTT', clean: true, keepalive: 0, properties: { receiveMaximum: 3 } });
  send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'rm/t', qos: 1 }] });
  const pub = await h.connect();
  const box = inbox(pub);
  await pub.subscribeAsync('rm/t', { qos: 1 });
  for (let i = 0; i < 10; i++) await pub.publishAsync('rm/t', String(i), { qos: 1 });
  await box.next(10); // everything is stored and fanned out
  await drain(pub, box, 'rm/t');
  expect(publishes).toHaveLength(3);
  send({ cmd: 'puback', messageId: publishes[0]!.messageId });
  while (publishes.length < 4) await new Promise((r) => setTimeout(r, 5));
  expect(publishes.map((p) => p.payload.toString())).toEqual(['0', '1', '2', '3']);
  socket.destroy();
});

test('a client sending more unacknowledged QoS 1 than our Receive Maximum gets DISCONNECT 0x93 [MQTT-3.3.4-7]', async () => {
  const socket = netConnect({ port: Number(new URL(h.url).port), host: '127.0.0.1' });
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p: mqttPacket.Packet) => packets.push(p));
  socket.on('data', (b) => parser.parse(b));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const out: Buffer[] = [mqttPacket.generate({ cmd: 'connect', clientId: 'greedy', protocolVersion: 5, protocolId: 'MQTT', clean: true, keepalive: 0 }, { protocolVersion: 5 })];
  // QoS 2 without PUBREL stays unacknowledged
  for (let i = 1; i <= 25; i++) out.push(mqttPacket.generate({ cmd: 'publish', topic: 'greedy/t', payload: Buffer.from('x'), qos: 2, retain: false, dup: false, messageId: i }, { protocolVersion: 5 }));
  socket.write(Buffer.concat(out));
  await closed;
  expect(packets.find((p) => p.cmd === 'connack')).toMatchObject({ properties: { receiveMaximum: 20 } });
  expect(packets.find((p) => p.cmd === 'disconnect')).toMatchObject({ reasonCode: 0x93 });
});

test('[MQTT-3.8.3-3] No Local; [MQTT-3.3.4-3] subscription identifiers; [MQTT-3.3.4-2] one copy at the highest QoS', async () => {
  const c = await h.connect({ protocolVersion: 5, clientId: 'self' });
  const box = inbox(c);
  await c.subscribeAsync('nl/#', { qos: 1, nl: true });
  await c.subscribeAsync('ids/#', { qos: 0, properties: { subscriptionIdentifier: 7 } });
  await c.subscribeAsync('ids/+', { qos: 1, properties: { subscriptionIdentifier: 9 } });
  await c.publishAsync('nl/mine', 'not for me', { qos: 1 });
  await c.publishAsync('ids/x', 'both', { qos: 1 });
  const [m] = await box.next(1);
  expect(m!.topic).toBe('ids/x');
  expect(m!.packet.qos).toBe(1);
  expect([m!.packet.properties!.subscriptionIdentifier].flat().sort()).toEqual([7, 9]);
  const other = await h.connect();
  await other.publishAsync('nl/theirs', 'for me', { qos: 1 });
  const [, m2] = await box.next(2);
  expect(m2!.topic).toBe('nl/theirs');
});

test('reason codes: UNSUBACK 0x11 when nothing was subscribed, PUBACK 0x90 for an unmappable topic', async () => {
  const c = await h.connect({ protocolVersion: 5 });
  expect(await granted(c, ['fine/+'], { qos: 1 })).toEqual([1]);
  const unsuback = (await c.unsubscribeAsync(['fine/+', 'never'])) as unknown as { granted: number[] };
  expect(unsuback.granted).toEqual([0x00, 0x11]);
  await expect(c.publishAsync(`${'x'.repeat(200)}/t`, 'too long a kernel topic', { qos: 1 })).rejects.toMatchObject({ code: 0x90 });
  expect(c.connected).toBe(true);
});

test('[MQTT-3.1.2-24] [MQTT-3.1.2-25] a message larger than the client’s Maximum Packet Size is not sent, and the rest flows', async () => {
  const small = await h.connect({ protocolVersion: 5, properties: { maximumPacketSize: 200 } });
  const box = inbox(small);
  await small.subscribeAsync('mps/#', { qos: 1 });
  const pub = await h.connect();
  await pub.publishAsync('mps/big', Buffer.alloc(1000), { qos: 1 });
  await pub.publishAsync('mps/small', 'fits', { qos: 1 });
  const [m] = await box.next(1);
  expect(m!.topic).toBe('mps/small');
  expect(box.all).toHaveLength(1);
});

test('CONNACK advertises our limits; an empty client id gets an Assigned Client Identifier [MQTT-3.1.3-7]', async () => {
  const c = await h.connect({ protocolVersion: 5, clientId: '' });
  const { connackOf } = await import('./harness.js');
  const props = connackOf(c).properties!;
  expect(props.assignedClientIdentifier).toMatch(/^auto-/);
  expect(props).toMatchObject({ receiveMaximum: 20, topicAliasMaximum: 100 });
  expect(props.maximumPacketSize).toBeGreaterThan(0);
});
