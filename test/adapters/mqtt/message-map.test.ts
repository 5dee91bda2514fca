import { MqttProperty, messageToOutbound, publishToMessage, remainingExpiry } from '../../../src/adapters/mqtt/message-map.js';
import { PublishRefused } from '../../../src/adapters/mqtt/errors.js';
import { ReasonCode } from '../../../src/adapters/mqtt/reason-codes.js';
import { kernelAddressOf } from '../../../src/adapters/mqtt/topic-map.js';

const now = 1_700_000_000_000;
const ctx = (topic: string) => ({ clientId: 'c1', now, address: kernelAddressOf(topic) });

describe('PUBLISH → kernel Message', () => {
  test('topic, tag, path, QoS, RETAIN and the publishing client as sharding key', () => {
    const m = publishToMessage({ payload: Buffer.from('x'), qos: 1, retain: true }, ctx('orders/created/eu'));
    expect(m).toMatchObject({ topic: 'orders', tag: 'created', path: 'orders/created/eu', shardingKey: 'c1' });
    expect(m.properties).toEqual({ [MqttProperty.QoS]: '1', [MqttProperty.ClientId]: 'c1', [MqttProperty.Retain]: '1' });
  });

  test('MQTT 5 properties become first-class fields and properties', () => {
    const m = publishToMessage({
      payload: Buffer.from('{}'), qos: 0, retain: false,
      properties: {
        contentType: 'application/json', messageExpiryInterval: 60, responseTopic: 'replies/1',
        correlationData: Buffer.from('req-1'), payloadFormatIndicator: true,
        userProperties: { region: 'eu', keys: 'k1 k2', deliverAt: String(now + 5000) },
      },
    }, ctx('orders'));
    expect(m).toMatchObject({ contentType: 'application/json', expireAt: now + 60_000, replyTo: 'replies/1', correlationId: 'req-1', keys: ['k1', 'k2'], deliverAt: now + 5000 });
    expect(m.properties).toMatchObject({ region: 'eu', [MqttProperty.PayloadFormat]: 'utf8' });
    expect(m.properties).not.toHaveProperty('keys');
  });

  test('binary correlation data travels as base64 and comes back byte for byte', () => {
    const data = Buffer.from([0xff, 0x00, 0xfe]);
    const m = publishToMessage({ payload: Buffer.alloc(0), qos: 0, retain: false, properties: { correlationData: data } }, ctx('a'));
    expect(m.properties![MqttProperty.CorrelationEncoding]).toBe('base64');
    const out = messageToOutbound(m, now)!;
    expect(Buffer.compare(out.properties!.correlationData!, data)).toBe(0);
  });

  test('repeated user property names keep every value in order [MQTT-3.3.2-18]', () => {
    const m = publishToMessage({ payload: Buffer.alloc(0), qos: 0, retain: false, properties: { userProperties: { a: ['1', '2'], b: '3' } } }, ctx('a'));
    const out = messageToOutbound(m, now)!;
    expect(out.properties!.userProperties).toEqual({ a: ['1', '2'], b: '3' });
  });

  test('reserved user property names and a non-UTF-8 payload flagged UTF-8 are refused with reason codes', () => {
    expect(() => publishToMessage({ payload: Buffer.alloc(0), qos: 1, retain: false, properties: { userProperties: { TAGS: 'x' } } }, ctx('a'))).toThrow(PublishRefused);
    expect(() => publishToMessage({ payload: Buffer.alloc(0), qos: 1, retain: false, properties: { userProperties: { 'mqtt.qos': '2' } } }, ctx('a'))).toThrow(PublishRefused);
    try {
      publishToMessage({ payload: Buffer.from([0xc3, 0x28]), qos: 1, retain: false, properties: { payloadFormatIndicator: true } }, ctx('a'));
    } catch (err) {
      expect((err as PublishRefused).reasonCode).toBe(ReasonCode.PayloadFormatInvalid);
    }
  });
});

describe('kernel Message → PUBLISH', () => {
  test('a message from another protocol: topic[/tag], QoS 1, properties as user properties, keys', () => {
    const out = messageToOutbound({ topic: 'orders', tag: 'created', body: Buffer.from('b'), properties: { region: 'eu' }, keys: ['k1'], contentType: 'text/plain' }, now)!;
    expect(out).toMatchObject({ topic: 'orders/created', qos: 1, retain: false });
    expect(out.properties).toEqual({ contentType: 'text/plain', userProperties: { region: 'eu', keys: 'k1' } });
  });

  test('[MQTT-3.3.2-5] an expired message is not delivered; [MQTT-3.3.2-6] the rest of its interval is', () => {
    expect(messageToOutbound({ topic: 'a', body: Buffer.alloc(0), expireAt: now - 1 }, now)).toBeUndefined();
    expect(remainingExpiry(now + 1500, now)).toBe(2);
  });
});
