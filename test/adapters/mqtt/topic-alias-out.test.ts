/** Outbound topic aliases (v5 §3.3.2.3.4): used up to the Topic Alias Maximum the client sent in CONNECT. */
import type { IPublishPacket, Packet } from 'mqtt-packet';
import { inbox, type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

test('the first PUBLISH on a topic carries topic and alias, later ones the alias alone; the least recently used alias is reused', async () => {
  const sub = await h.connect({ protocolVersion: 5, properties: { topicAliasMaximum: 2 } });
  const wire: IPublishPacket[] = [];
  sub.on('packetreceive', (p: Packet) => {
    if (p.cmd === 'publish') wire.push({ ...p, properties: { ...p.properties } });
  });
  const box = inbox(sub);
  await sub.subscribeAsync('alias/#', { qos: 1 });
  const pub = await h.connect({ protocolVersion: 5 });
  const topics = ['alias/a', 'alias/a', 'alias/b', 'alias/c', 'alias/a', 'alias/c'];
  for (const [i, t] of topics.entries()) await pub.publishAsync(t, String(i), { qos: 1 });
  const got = await box.next(topics.length);
  expect(got.map((m) => m.topic)).toEqual(topics);
  expect(got.map((m) => m.payload.toString())).toEqual(topics.map((_, i) => String(i)));
  expect(wire.map((p) => [p.topic, p.properties?.topicAlias])).toEqual([
    ['alias/a', 1],
    ['', 1],
    ['alias/b', 2],
    ['alias/c', 1], // both taken: alias/a's alias was the least recently used
    ['alias/a', 2],
    ['', 1],
  ]);
});

test('a client that sent no Topic Alias Maximum gets no aliases [MQTT-3.3.2-9]', async () => {
  const sub = await h.connect({ protocolVersion: 5 });
  const wire: IPublishPacket[] = [];
  sub.on('packetreceive', (p: Packet) => {
    if (p.cmd === 'publish') wire.push(p);
  });
  const box = inbox(sub);
  await sub.subscribeAsync('noalias/#', { qos: 0 });
  const pub = await h.connect({ protocolVersion: 5 });
  await pub.publishAsync('noalias/x', 'one', { qos: 1 });
  await pub.publishAsync('noalias/x', 'two', { qos: 1 });
  await box.next(2);
  expect(wire.map((p) => [p.topic, p.properties?.topicAlias])).toEqual([
    ['noalias/x', undefined],
    ['noalias/x', undefined],
  ]);
});
