import { Outbound, type Delivery, type OutboundSink } from '../../../src/adapters/mqtt/outbound.js';

function sink(receiveMaximum: number) {
  const sent: Array<{ id: number | undefined; dup: boolean; topic: string }> = [];
  const rel: number[] = [];
  const s: OutboundSink = {
    receiveMaximum,
    backlogBytes: 0,
    sendPublish: (d, id, dup) => (sent.push({ id, dup, topic: d.message.topic }), true),
    sendPubrel: (id) => void rel.push(id),
  };
  return { s, sent, rel };
}

const delivery = (topic: string, qos: 0 | 1 | 2, settled: boolean[] = []): Delivery => ({ message: { topic, payload: Buffer.alloc(0), qos, retain: false }, qos, retain: false, settle: (ok) => void settled.push(ok) });

describe('outbound window', () => {
  test('[MQTT-3.3.4-9] never more QoS 1/2 in flight than the client’s Receive Maximum', () => {
    const stats = { dropped: 0 };
    const o = new Outbound({ maxInflight: 100, maxQueued: 10, stats });
    const { s, sent } = sink(2);
    o.attach(s);
    const settled: boolean[] = [];
    for (let i = 0; i < 5; i++) o.deliver(delivery(`t${i}`, 1, settled));
    expect(sent.map((p) => p.topic)).toEqual(['t0', 't1']);
    expect(o.onPuback(sent[0]!.id!)).toBe(true);
    expect(sent.map((p) => p.topic)).toEqual(['t0', 't1', 't2']);
    expect(settled).toEqual([true]);
  });

  test('QoS 2: PUBREC → PUBREL, PUBCOMP settles; a failing PUBREC ends the exchange', () => {
    const o = new Outbound({ maxInflight: 10, maxQueued: 10, stats: { dropped: 0 } });
    const { s, sent, rel } = sink(10);
    o.attach(s);
    const settled: boolean[] = [];
    o.deliver(delivery('a', 2, settled));
    o.deliver(delivery('b', 2, settled));
    expect(o.onPubrec(sent[0]!.id!, 0)).toBe(true);
    expect(rel).toEqual([sent[0]!.id]);
    expect(o.onPubcomp(sent[0]!.id!)).toBe(true);
    expect(o.onPubrec(sent[1]!.id!, 0x80)).toBe(true);
    expect(settled).toEqual([true, true]);
    expect(o.inflightCount).toBe(0);
  });

  test('[MQTT-4.4.0-1] on reconnect unacknowledged PUBLISH go again with DUP and the same id, PUBREL for released ones', () => {
    const o = new Outbound({ maxInflight: 10, maxQueued: 10, stats: { dropped: 0 } });
    const first = sink(10);
    o.attach(first.s);
    o.deliver(delivery('a', 1));
    o.deliver(delivery('b', 2));
    o.onPubrec(first.sent[1]!.id!, 0);
    o.detach();
    const second = sink(10);
    o.attach(second.s);
    expect(second.sent).toEqual([{ id: first.sent[0]!.id, dup: true, topic: 'a' }]);
    expect(second.rel).toEqual([first.sent[1]!.id]);
  });

  test('a full queue drops and says so; abort settles everything as not delivered', () => {
    const stats = { dropped: 0 };
    const o = new Outbound({ maxInflight: 1, maxQueued: 1, stats });
    const { s } = sink(1);
    o.attach(s);
    const settled: boolean[] = [];
    expect(o.deliver(delivery('a', 1, settled))).toBe(true);
    expect(o.deliver(delivery('b', 1, settled))).toBe(true);
    expect(o.deliver(delivery('c', 1, settled))).toBe(false);
    expect(stats.dropped).toBe(1);
    o.abort();
    expect(settled).toEqual([false, false, false]);
  });
});
