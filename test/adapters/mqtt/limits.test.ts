/** Bad input and limits: one client's malformed or oversized packets close only that client; floods are flow-controlled. */
import { connect as netConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { maxPacketSize: 64 * 1024, maxInflight: 16 } });
});
afterAll(async () => {
  await h.stop();
});

async function rawConnected(clientId: string, protocolVersion: 4 | 5 = 4): Promise<{ socket: Socket; closed: Promise<void>; packets: mqttPacket.Packet[] }> {
  const socket = netConnect({ port: Number(new URL(h.url).port), host: '127.0.0.1' });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p: mqttPacket.Packet) => packets.push(p));
  socket.on('data', (b) => parser.parse(b));
  socket.on('error', () => undefined);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(mqttPacket.generate({ cmd: 'connect', clientId, protocolVersion, protocolId: 'MQTT', clean: true, keepalive: 0 }, { protocolVersion }));
  while (!packets.some((p) => p.cmd === 'connack')) await new Promise((r) => setTimeout(r, 5));
  return { socket, closed, packets };
}

test('[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection', async () => {
  const socket = netConnect({ port: Number(new URL(h.url).port), host: '127.0.0.1' });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  socket.resume();
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(mqttPacket.generate({ cmd: 'pingreq' }));
  await closed;
});

test('[MQTT-3.1.0-2] a second CONNECT closes the connection', async () => {
  const c = await rawConnected('twice');
  c.socket.write(mqttPacket.generate({ cmd: 'connect', clientId: 'twice', protocolVersion: 4, protocolId: 'MQTT', clean: true, keepalive: 0 }));
  await c.closed;
});

test('a malformed packet disconnects that client only; others keep working', async () => {
  const bystander = await h.connect({ clientId: 'bystander' });
  const c = await rawConnected('garbage');
  c.socket.write(Buffer.from([0x82, 0x02, 0x00, 0x01])); // SUBSCRIBE without a payload [MQTT-3.8.3-3]
  await c.closed;
  const d = await rawConnected('garbage-2');
  d.socket.write(Buffer.from([0x60, 0x02, 0x00, 0x01])); // PUBREL with wrong flags [MQTT-3.6.1-1]
  await d.closed;
  await bystander.publishAsync('alive/t', 'yes', { qos: 1 });
  expect(bystander.connected).toBe(true);
});

test('an oversized packet is refused before it is buffered: v5 DISCONNECT 0x95, v3.1.1 close', async () => {
  const v5 = await rawConnected('big5', 5);
  // only the fixed header: the gateway refuses on the declared length
  v5.socket.write(Buffer.from([0x30, 0xff, 0xff, 0x7f]));
  await v5.closed;
  expect(v5.packets.find((p) => p.cmd === 'disconnect')).toMatchObject({ reasonCode: 0x95 });
  const v3 = await h.connect();
  const closed = new Promise<void>((r) => v3.once('close', () => r()));
  v3.publish('big/t', Buffer.alloc(70 * 1024), { qos: 0 });
  await closed;
});

test('a client flooding QoS 1 without reading its PUBACKs is flow-controlled: at most maxInflight stores outstanding, nothing lost', async () => {
  const c = await rawConnected('flooder');
  c.socket.pause(); // never read the answers
  const payload = Buffer.alloc(512);
  const total = 20_000;
  const chunk: Buffer[] = [];
  for (let i = 0; i < total; i++) chunk.push(mqttPacket.generate({ cmd: 'publish', topic: 'flood/t', payload, qos: 1, retain: false, dup: false, messageId: (i % 65535) + 1 }));
  c.socket.write(Buffer.concat(chunk));
  const deadline = Date.now() + 20_000;
  while ((await h.kernel.client.admin.topicStats('flood'))?.messageCount !== total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect((await h.kernel.client.admin.topicStats('flood'))!.messageCount).toBe(total);
  // the socket was not read while 16 (maxInflight) stores were outstanding
  // bounded by maxInflight (16) plus the packets of one 64 KiB socket read
  expect(h.adapter.stats().inboundPeakPending).toBeLessThanOrEqual(16 + Math.ceil(65_536 / 520));
  expect(h.adapter.stats().inboundPeakPending).toBeGreaterThan(1);
  c.socket.destroy();
}, 30_000);

test('[MQTT-3.1.2-24] keep alive: 1.5 × the interval without a packet closes the connection', async () => {
  const socket = netConnect({ port: Number(new URL(h.url).port), host: '127.0.0.1' });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  socket.resume(); // read CONNACK and the end of the stream
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const started = Date.now();
  socket.write(mqttPacket.generate({ cmd: 'connect', clientId: 'sleepy', protocolVersion: 4, protocolId: 'MQTT', clean: true, keepalive: 1 }));
  await closed;
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
});
