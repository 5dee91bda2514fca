/**
 * QoS 2 exactly once across a server restart, for persistent sessions: the packet ids
 * of stored-but-unreleased inbound PUBLISH packets and the ids and stages of outbound
 * QoS 2 messages are journaled in the kernel, so an exchange interrupted by a restart
 * completes without a second copy in either direction.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { IPublishPacket } from 'mqtt-packet';
import { waitFor } from '../../helpers/kernel.js';
import { drain, inbox, type Harness, startHarness } from './harness.js';
import { type RawClient, rawConnect } from './raw-client.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const port = (): number => Number(new URL(h.url).port);

async function storedCount(topic: string): Promise<number> {
  const stats = await h.kernel.client.admin.topicStats(topic);
  return (stats?.queues ?? []).reduce((n, q) => n + q.maxOffset - q.minOffset, 0);
}

describe.each([4, 5] as const)('MQTT %s', (version) => {
  /** a raw client subscribed to qtwoout<version>/# at QoS 2, and the first PUBLISH of `payload` it got */
  async function firstDelivery(clientId: string, topic: string, payload: string): Promise<{ c: RawClient; first: IPublishPacket }> {
    const { c } = await rawConnect(port(), clientId, version);
    c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `qtwoout${version}/#`, qos: 2 }] });
    await c.next('suback');
    const pub = await h.connect({ protocolVersion: version });
    await pub.publishAsync(topic, payload, { qos: 2 });
    return { c, first: (await c.next('publish')) as IPublishPacket };
  }

  /** a fresh QoS 2 message reaches `again`, and no other PUBLISH did */
  async function expectOnlyMarker(again: RawClient, topic: string): Promise<void> {
    const pub2 = await h.connect({ protocolVersion: version });
    await pub2.publishAsync(topic, 'marker', { qos: 2 });
    const marker = (await again.next('publish')) as IPublishPacket;
    expect(marker.payload.toString()).toBe('marker');
    expect(again.received.filter((p) => p.cmd === 'publish')).toEqual([]);
  }

  test('a QoS 2 PUBLISH sent again with DUP after a restart is not stored twice, and its PUBREL completes', async () => {
    const { c } = await rawConnect(port(), `in-${version}`, version);
    const publish = { cmd: 'publish', topic: `qtwoin${version}/a`, payload: Buffer.from('once'), qos: 2, retain: false, dup: false, messageId: 9 } as const;
    c.send(publish);
    expect(await c.next('pubrec')).toMatchObject({ messageId: 9 });
    await h.restart();
    await c.closed;

    const { c: again, connack } = await rawConnect(port(), `in-${version}`, version);
    expect(connack).toMatchObject({ sessionPresent: true });
    again.send({ ...publish, dup: true });
    const pubrec = await again.next('pubrec');
    expect(pubrec).toMatchObject({ messageId: 9 });
    expect((pubrec as { reasonCode?: number }).reasonCode ?? 0).toBe(0);
    again.send({ cmd: 'pubrel', messageId: 9 });
    const pubcomp = await again.next('pubcomp');
    expect((pubcomp as { reasonCode?: number }).reasonCode ?? 0).toBe(0); // not 0x92: the id was known
    expect(await storedCount(`qtwoin${version}`)).toBe(1);

    // released: the id is free again, a new PUBLISH with it is a new message
    again.send({ ...publish, payload: Buffer.from('second') });
    await again.next('pubrec');
    expect(await storedCount(`qtwoin${version}`)).toBe(2);
    again.destroy();
  });

  test('a message past PUBREC when the server restarts gets only its PUBREL again, never a second PUBLISH', async () => {
    const topic = `qtwoout${version}/r`;
    const { c, first } = await firstDelivery(`out-rel-${version}`, topic, 'exactly once');
    expect(first.payload.toString()).toBe('exactly once');
    c.send({ cmd: 'pubrec', messageId: first.messageId });
    expect(await c.next('pubrel')).toMatchObject({ messageId: first.messageId });
    // no PUBCOMP: the server restarts in the middle of the exchange
    await h.restart();
    await c.closed;

    const { c: again } = await rawConnect(port(), `out-rel-${version}`, version);
    expect(await again.next('pubrel')).toMatchObject({ messageId: first.messageId });
    again.send({ cmd: 'pubcomp', messageId: first.messageId });
    await expectOnlyMarker(again, topic);
    again.destroy();
  });

  test('a message not acknowledged when the server restarts is sent again with the same id and DUP, once', async () => {
    const topic = `qtwoout${version}/p`;
    const { c, first } = await firstDelivery(`out-pub-${version}`, topic, 'unanswered');
    expect(first).toMatchObject({ qos: 2, dup: false });
    await h.restart();
    await c.closed;

    const { c: again } = await rawConnect(port(), `out-pub-${version}`, version);
    const resent = (await again.next('publish')) as IPublishPacket;
    expect(resent).toMatchObject({ messageId: first.messageId, dup: true, qos: 2 });
    expect(resent.payload.toString()).toBe('unanswered');
    again.send({ cmd: 'pubrec', messageId: first.messageId });
    await again.next('pubrel');
    again.send({ cmd: 'pubcomp', messageId: first.messageId });
    await expectOnlyMarker(again, topic);
    again.destroy();
  });
});

test('with the mqtt client: QoS 2 publishes and deliveries in flight across a restart arrive exactly once', async () => {
  const n = 60;
  // after 10 PUBLISH packets the subscriber stops answering them: those exchanges are open when the server restarts
  let answered = 0;
  let held = 0;
  let holding = true;
  const customHandleAcks = (_t: string, _m: Buffer, _p: unknown, done: (err: Error | number, code?: number) => void): void => {
    if (holding && answered >= 10) {
      held++; // never answered: the client reads no further packet on this connection
      return;
    }
    answered++;
    done(0);
  };
  // the clients reconnect by themselves and send again what their stores hold (PUBLISH with DUP, or PUBREL)
  const connect = async (clientId: string, extra: mqtt.IClientOptions = {}): Promise<MqttClient> => {
    const c = mqtt.connect(h.url, { clientId, clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 100, connectTimeout: 5_000, ...extra });
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('error', reject);
    });
    return c;
  };
  const sub = await connect('q2-sub', { customHandleAcks });
  const box = inbox(sub);
  await sub.subscribeAsync('qtworeal/#', { qos: 2 });
  const pub = await connect('q2-pub');
  for (let i = 0; i < n; i++) pub.publish(`qtworeal/${i % 3}`, String(i), { qos: 2 }, () => undefined);
  await waitFor(() => held > 0, 10_000, 'an unanswered PUBLISH');
  await h.restart();
  holding = false;
  const payloads = (): string[] => box.all.map((m) => m.payload.toString());
  await waitFor(() => new Set(payloads()).size >= n, 20_000, `all ${n} messages`);
  const marker = await h.connect({ protocolVersion: 5 });
  await drain(marker, box, 'qtworeal/marker');
  const got = payloads().filter((p) => !p.startsWith('marker'));
  expect(got.sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  sub.end(true);
  pub.end(true);
}, 45_000);

test('a persistent session mixing QoS 2 (journaled before the store) with QoS 0 and 1 keeps its publish order in the kernel', async () => {
  const { c } = await rawConnect(port(), 'order-mixed', 5);
  const n = 30;
  for (let i = 0; i < n; i++) {
    const qos = ([2, 1, 0] as const)[i % 3]!;
    c.send({ cmd: 'publish', topic: 'qtwoorder/x', payload: Buffer.from(String(i)), qos, retain: false, dup: false, ...(qos > 0 ? { messageId: i + 1 } : {}) });
  }
  for (let i = 0; i < n; i += 3) {
    await c.next('pubrec');
    c.send({ cmd: 'pubrel', messageId: i + 1 });
    await c.next('pubcomp');
  }
  await waitFor(async () => (await storedCount('qtwoorder')) >= n, 10_000, `${n} messages stored`);
  // one client's messages on one topic share a queue (sharding key: the client id)
  const queues = (await h.kernel.client.admin.topicStats('qtwoorder'))!.queues.filter((q) => q.maxOffset > q.minOffset);
  expect(queues).toHaveLength(1);
  const consumer = h.kernel.client.createPullConsumer({ group: 'order-check' });
  const pulled = await consumer.pull({ topic: 'qtwoorder', queueId: queues[0]!.queueId, offset: queues[0]!.minOffset, maxMessages: n });
  expect(pulled.messages.map((m) => m.body.toString())).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  await consumer.shutdown();
  c.destroy();
});
