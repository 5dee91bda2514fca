/** QoS 0, 1 and 2 end to end over real sockets, MQTT 3.1.1 and 5.0. */
import { connect as netConnect } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { inbox, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

describe.each([4, 5] as const)('MQTT protocol version %s', (protocolVersion) => {
  test.each([0, 1, 2] as const)('QoS %s: published, stored, delivered at min(published, granted) [MQTT-3.8.4-6]', async (qos) => {
    const topic = `qos${protocolVersion}${qos}/t`;
    const sub = await h.connect({ protocolVersion, clientId: `sub-${protocolVersion}-${qos}` });
    const box = inbox(sub);
    await sub.subscribeAsync(topic, { qos: 2 });
    const pub = await h.connect({ protocolVersion, clientId: `pub-${protocolVersion}-${qos}` });
    await pub.publishAsync(topic, `m-${qos}`, { qos });
    const [m] = await box.next(1);
    expect(m!.payload.toString()).toBe(`m-${qos}`);
    expect(m!.packet.qos).toBe(qos);
    expect(m!.packet.retain).toBe(false); // [MQTT-3.3.1-9]
  });

  test('a QoS 2 subscription granted QoS 1 receives QoS 1 [MQTT-3.8.4-6]', async () => {
    const topic = `down${protocolVersion}/t`;
    const sub = await h.connect({ protocolVersion });
    const box = inbox(sub);
    await sub.subscribeAsync(topic, { qos: 1 });
    const pub = await h.connect({ protocolVersion });
    await pub.publishAsync(topic, 'x', { qos: 2 });
    const [m] = await box.next(1);
    expect(m!.packet.qos).toBe(1);
  });
});

test('PUBACK only after the kernel stored the message: it is readable when PUBACK arrives', async () => {
  const pub = await h.connect({ clientId: 'stored-check' });
  await pub.publishAsync('stored/created/x', 'persist me', { qos: 1 });
  const stats = await h.kernel.client.admin.topicStats('stored');
  expect(stats?.messageCount).toBe(1);
  const queue = stats!.queues.find((q) => q.maxOffset > 0)!;
  const consumer = h.kernel.client.createPullConsumer({ group: 'stored-check' });
  const result = await consumer.pull({ topic: 'stored', queueId: queue.queueId, offset: 0 });
  expect(result.messages[0]).toMatchObject({ topic: 'stored', tag: 'created', path: 'stored/created/x' });
  expect(result.messages[0]!.body.toString()).toBe('persist me');
  await consumer.shutdown();
});

test('[MQTT-4.6.0-6] one client’s messages on one topic keep their order (same queue)', async () => {
  const sub = await h.connect();
  const box = inbox(sub);
  await sub.subscribeAsync('order/#', { qos: 1 });
  const pub = await h.connect({ clientId: 'orderly' });
  const n = 200;
  await Promise.all(Array.from({ length: n }, (_, i) => pub.publishAsync(`order/${i % 3}`, String(i), { qos: 1 })));
  const got = await box.next(n);
  expect(got.map((m) => Number(m.payload.toString()))).toEqual(Array.from({ length: n }, (_, i) => i));
});

/** a bare socket client, to send what the mqtt library would not */
async function raw(port: number): Promise<{ send(p: Packet): void; next(cmd: string): Promise<Packet>; received: Packet[]; closed: Promise<void> }> {
  const socket = netConnect({ port, host: '127.0.0.1' });
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const received: Packet[] = [];
  let wake: () => void = () => undefined;
  parser.on('packet', (p: Packet) => {
    received.push(p);
    wake();
  });
  socket.on('data', (b) => parser.parse(b));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return {
    received,
    closed,
    send: (p) => void socket.write(mqttPacket.generate(p)),
    async next(cmd) {
      const deadline = Date.now() + 5000;
      for (;;) {
        const i = received.findIndex((p) => p.cmd === cmd);
        if (i >= 0) return received.splice(i, 1)[0]!;
        if (Date.now() > deadline) throw new Error(`no ${cmd}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
    },
  };
}

test('[MQTT-4.3.3-2] a QoS 2 PUBLISH sent again with DUP before PUBREL is stored once', async () => {
  const port = Number(new URL(h.url).port);
  const sub = await h.connect();
  const box = inbox(sub);
  await sub.subscribeAsync('exactly/once', { qos: 2 });
  const c = await raw(port);
  c.send({ cmd: 'connect', clientId: 'raw-qos2', protocolVersion: 4, protocolId: 'MQTT', clean: true, keepalive: 0 });
  await c.next('connack');
  const publish = { cmd: 'publish', topic: 'exactly/once', payload: Buffer.from('one'), qos: 2, retain: false, dup: false, messageId: 7 } as const;
  c.send(publish);
  expect(await c.next('pubrec')).toMatchObject({ messageId: 7 });
  c.send({ ...publish, dup: true });
  expect(await c.next('pubrec')).toMatchObject({ messageId: 7 });
  c.send({ cmd: 'pubrel', messageId: 7 });
  expect(await c.next('pubcomp')).toMatchObject({ messageId: 7 });
  // the same id after PUBCOMP is a new message
  c.send({ ...publish, payload: Buffer.from('two') });
  await c.next('pubrec');
  c.send({ cmd: 'pubrel', messageId: 7 });
  await c.next('pubcomp');
  const got = await box.next(2);
  expect(got.map((m) => m.payload.toString())).toEqual(['one', 'two']);
  expect((await h.kernel.client.admin.topicStats('exactly'))!.messageCount).toBe(2);
});

test('[MQTT-3.3.1-4] a PUBLISH with both QoS bits set closes that connection only', async () => {
  const port = Number(new URL(h.url).port);
  const other = await h.connect();
  const c = await raw(port);
  c.send({ cmd: 'connect', clientId: 'bad-qos', protocolVersion: 4, protocolId: 'MQTT', clean: true, keepalive: 0 });
  await c.next('connack');
  const socket = netConnect({ port, host: '127.0.0.1' });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(mqttPacket.generate({ cmd: 'connect', clientId: 'bad-qos-2', protocolVersion: 4, protocolId: 'MQTT', clean: true, keepalive: 0 }));
  socket.write(Buffer.from([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01])); // PUBLISH with QoS bits 11
  await new Promise<void>((r) => socket.once('close', () => r()));
  await other.publishAsync('still/alive', 'ok', { qos: 1 });
  expect(other.connected).toBe(true);
});
