/** MQTT 3.1.1 §3.1-3.2 and 5.0 §3.1-3.2: CONNECT and CONNACK on the wire. */
import type { Authenticator } from '../../../src/adapters/common/auth.js';
import { startHarness, type Harness } from '../../../test/adapters/mqtt/harness.js';
import { connect, wire } from './wire.js';

const auth: Authenticator = {
  required: false,
  authenticate: (u, p) => (u === undefined ? { username: 'anonymous', readOnly: false, admin: true } : p === 'pw' ? { username: u, readOnly: false, admin: false } : undefined),
  authenticateToken: () => undefined,
  authorize: () => true,
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ auth });
});
afterAll(async () => {
  await h.stop();
});

test('[MQTT-3.1.0-1] [MQTT-3.2.0-1] the first packet must be CONNECT, the first answer is CONNACK', async () => {
  const w = await wire(h.url);
  w.send(connect('first'));
  expect(await w.next('connack')).toMatchObject({ returnCode: 0, sessionPresent: false });
  const bad = await wire(h.url);
  bad.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] });
  await bad.closed;
  expect(bad.packets).toHaveLength(0);
});

test('[MQTT-3.1.2-2] an unsupported protocol level gets CONNACK 0x01 and the connection is closed', async () => {
  const w = await wire(h.url);
  // CONNECT, protocol name MQTT, level 9
  w.sendRaw([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x09, 0x02, 0x00, 0x00, 0x00, 0x01, 0x61]);
  await w.closed;
  expect(w.packets[0]).toMatchObject({ cmd: 'connack', returnCode: 1 });
});

test('[MQTT-3.1.3-8] a zero-byte ClientId with CleanSession 0 gets CONNACK 0x02; [MQTT-3.2.2-4] Session Present 0', async () => {
  const w = await wire(h.url);
  // (mqtt-packet will not encode it) CONNECT level 4, flags 0 (CleanSession 0), keep alive 0, ClientId ""
  w.sendRaw([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]);
  expect(await w.next('connack')).toMatchObject({ returnCode: 2, sessionPresent: false });
  await w.closed;
});

test('[MQTT-3.1.3-6] a zero-byte ClientId with CleanSession 1 is given a unique id', async () => {
  const w = await wire(h.url);
  w.send(connect(''));
  expect(await w.next('connack')).toMatchObject({ returnCode: 0 });
});

test('[MQTT-3.2.2-5] [MQTT-3.1.4-5] a refused CONNECT closes, and nothing sent after it is processed', async () => {
  const w = await wire(h.url);
  w.send(connect('refused', { username: 'u', password: Buffer.from('wrong') }));
  w.send({ cmd: 'publish', topic: 'after-refusal/t', payload: Buffer.from('x'), qos: 0, retain: false, dup: false });
  expect(await w.next('connack')).toMatchObject({ returnCode: 4 });
  await w.closed;
  expect(await h.kernel.client.admin.topicStats('after-refusal')).toBeUndefined();
});

test('[MQTT-3.1.4-2] a second connection with the same ClientId closes the first; v5 [MQTT-3.1.4-3] with DISCONNECT 0x8E', async () => {
  const old3 = await wire(h.url);
  old3.send(connect('twin'));
  await old3.next('connack');
  const new3 = await wire(h.url);
  new3.send(connect('twin'));
  await new3.next('connack');
  await old3.closed;

  const old5 = await wire(h.url, 5);
  old5.send(connect('twin5', { protocolVersion: 5 }));
  await old5.next('connack');
  const new5 = await wire(h.url, 5);
  new5.send(connect('twin5', { protocolVersion: 5 }));
  await new5.next('connack');
  expect(await old5.next('disconnect')).toMatchObject({ reasonCode: 0x8e });
  await old5.closed;
});

test('[MQTT-3.1.0-2] a second CONNECT is a protocol violation (v5: DISCONNECT 0x82)', async () => {
  const w = await wire(h.url, 5);
  w.send(connect('again', { protocolVersion: 5 }));
  await w.next('connack');
  w.send(connect('again', { protocolVersion: 5 }));
  expect(await w.next('disconnect')).toMatchObject({ reasonCode: 0x82 });
  await w.closed;
});

test('packets sent right after CONNECT, before CONNACK, are processed after it in order', async () => {
  const w = await wire(h.url);
  w.send(connect('eager'));
  w.send({ cmd: 'subscribe', messageId: 5, subscriptions: [{ topic: 'eager/t', qos: 1 }] });
  w.send({ cmd: 'publish', topic: 'eager/t', payload: Buffer.from('self'), qos: 1, retain: false, dup: false, messageId: 6 });
  await w.next('connack');
  expect(await w.next('suback')).toMatchObject({ messageId: 5, granted: [1] });
  expect(await w.next('puback')).toMatchObject({ messageId: 6 });
  expect(await w.next('publish')).toMatchObject({ topic: 'eager/t' });
});

test('[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP', async () => {
  const w = await wire(h.url);
  w.send(connect('pinger'));
  await w.next('connack');
  w.send({ cmd: 'pingreq' });
  await w.next('pingresp');
});

test('[MQTT-3.1.2-3] a CONNECT with the reserved flag set is malformed and closes the connection', async () => {
  const w = await wire(h.url);
  // flags byte 0x03: clean session + reserved bit
  w.sendRaw([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x03, 0x00, 0x00, 0x00, 0x01, 0x61]);
  await w.closed;
  expect(w.packets.filter((p) => p.cmd === 'connack' && (p as { returnCode?: number }).returnCode === 0)).toHaveLength(0);
});
