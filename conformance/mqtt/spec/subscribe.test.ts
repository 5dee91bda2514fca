/** MQTT 3.1.1 §3.8-3.11 and 5.0 §3.8-3.11: SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK on the wire. */
import { startHarness, type Harness } from '../../../test/adapters/mqtt/harness.js';
import { connect, wire } from './wire.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

test('[MQTT-3.8.4-1] [MQTT-3.8.4-2] [MQTT-3.9.3-1] SUBACK carries the packet id and one code per filter, in order', async () => {
  const w = await wire(h.url);
  w.send(connect('subber'));
  await w.next('connack');
  w.send({ cmd: 'subscribe', messageId: 42, subscriptions: [{ topic: 'a/#', qos: 2 }, { topic: 'b/+', qos: 0 }, { topic: 'c', qos: 1 }] });
  expect(await w.next('suback')).toMatchObject({ messageId: 42, granted: [2, 0, 1] });
});

test('[MQTT-3.8.3-3] a SUBSCRIBE without filters is malformed and closes the connection', async () => {
  const w = await wire(h.url);
  w.send(connect('empty-sub'));
  await w.next('connack');
  w.sendRaw([0x82, 0x02, 0x00, 0x01]);
  await w.closed;
});

test('[MQTT-3.8.1-1] SUBSCRIBE with wrong fixed header flags closes the connection', async () => {
  const w = await wire(h.url);
  w.send(connect('bad-flags'));
  await w.next('connack');
  w.sendRaw([0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00]);
  await w.closed;
});

test('[MQTT-3.8.4-3] subscribing to the same filter again replaces the subscription and re-sends retained messages', async () => {
  const w = await wire(h.url);
  w.send(connect('resub'));
  await w.next('connack');
  w.send({ cmd: 'publish', topic: 'resub/t', payload: Buffer.from('kept'), qos: 1, retain: true, dup: false, messageId: 1 });
  await w.next('puback');
  // a message stored in the same millisecond as the SUBSCRIBE may also arrive live (RETAIN 0): look for the retained copies
  const nextRetained = async (): Promise<unknown> => {
    for (;;) {
      const p = (await w.next('publish')) as { retain: boolean };
      if (p.retain) return p;
    }
  };
  w.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'resub/#', qos: 1 }] });
  await w.next('suback');
  expect(await nextRetained()).toMatchObject({ topic: 'resub/t', retain: true, qos: 1 });
  w.send({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'resub/#', qos: 0 }] });
  await w.next('suback');
  expect(await nextRetained()).toMatchObject({ topic: 'resub/t', retain: true, qos: 0 });
});

test('[MQTT-3.10.4-4] [MQTT-3.10.4-5] UNSUBACK carries the packet id, also when nothing matched; [MQTT-3.10.4-1] filters compare character by character', async () => {
  const w = await wire(h.url, 5);
  w.send(connect('unsub', { protocolVersion: 5 }));
  await w.next('connack');
  w.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'u/+', qos: 1 }] });
  await w.next('suback');
  w.send({ cmd: 'unsubscribe', messageId: 9, unsubscriptions: ['u/#', 'u/+'] });
  expect(await w.next('unsuback')).toMatchObject({ messageId: 9, granted: [0x11, 0x00] });
});

test('[MQTT-3.10.4-2] after UNSUBSCRIBE no new messages are delivered for that filter', async () => {
  const w = await wire(h.url);
  w.send(connect('unsub2'));
  await w.next('connack');
  w.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'gone2/t', qos: 1 }, { topic: 'marker2/t', qos: 1 }] });
  await w.next('suback');
  w.send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['gone2/t'] });
  await w.next('unsuback');
  w.send({ cmd: 'publish', topic: 'gone2/t', payload: Buffer.from('x'), qos: 1, retain: false, dup: false, messageId: 3 });
  w.send({ cmd: 'publish', topic: 'marker2/t', payload: Buffer.from('m'), qos: 1, retain: false, dup: false, messageId: 4 });
  const p = await w.next('publish');
  expect(p).toMatchObject({ topic: 'marker2/t' });
  expect(w.packets.filter((x) => x.cmd === 'publish')).toHaveLength(0);
});
