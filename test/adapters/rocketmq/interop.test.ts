/**
 * DESIGN.md §5 with Apache's RocketMQ client in the embedded runtime: a message sent by
 * the RocketMQ Producer reaches MQTT 5, STOMP and HTTP consumers with tag, keys, user
 * properties and content type intact, and messages published over MQTT, STOMP and HTTP
 * reach a RocketMQ SimpleConsumer the same way.
 */
import mqtt, { type IPublishPacket } from 'mqtt';
import { Producer, SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { startTestServer, type TestServer } from '../../helpers/runtime.js';
import { RawStompClient } from '../stomp/helpers/server.js';
import { quietLogger, shutdownAll, startClient } from './helpers.js';

describe('RocketMQ client ↔ MQTT, STOMP, HTTP', () => {
  let server: TestServer;
  let endpoints: string;
  beforeAll(async () => {
    server = await startTestServer();
    endpoints = `127.0.0.1:${server.port('rocketmq')}`;
  });
  afterAll(() => server.stop());

  test('RocketMQ Producer → MQTT 5, STOMP and HTTP consumers', async () => {
    const mq = await mqtt.connectAsync(server.url('mqtt'), { protocolVersion: 5, clientId: 'interop-mqtt', reconnectPeriod: 0 });
    const stomp = await RawStompClient.open(server.port('stomp'));
    const producer = await startClient(new Producer({ endpoints, namespace: '', logger: quietLogger, topics: ['rmq-out'] }));
    try {
      const mqttGot = new Promise<IPublishPacket>((resolve) => mq.on('message', (_t, _p, packet) => resolve(packet)));
      await mq.subscribeAsync('rmq-out/#', { qos: 1 });
      await stomp.request('SUBSCRIBE', { id: 'sub-1', destination: '/topic/rmq-out/created' });
      const http = server.url('http');
      const receive = (waitMs: number): Promise<Response> => fetch(`${http}/v1/groups/http-readers/topics/rmq-out/receive`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ waitMs, max: 1 }),
      });
      expect((await receive(0)).status).toBe(200); // the HTTP group exists from now on

      const receipt = await producer.send({
        topic: 'rmq-out', tag: 'created', keys: ['r-1', 'r-2'], body: Buffer.from('from rocketmq'),
        properties: new Map([['color', 'blue'], ['CONTENT_TYPE', 'text/plain']]),
      });

      const packet = await mqttGot;
      expect(packet.topic).toBe('rmq-out/created');
      expect(packet.payload.toString()).toBe('from rocketmq');
      expect(packet.properties?.contentType).toBe('text/plain');
      expect(packet.properties?.userProperties).toMatchObject({ color: 'blue', keys: 'r-1 r-2' });

      const frame = await stomp.next();
      expect(frame.command).toBe('MESSAGE');
      expect(frame.body.toString()).toBe('from rocketmq');
      expect(frame.headers.get('color')).toBe('blue');
      expect(frame.headers.get('keys')).toBe('r-1 r-2'); // space separated, as RocketMQ's KEYS property
      expect(frame.headers.get('content-type')).toBe('text/plain');
      expect(frame.headers.get('message-id')).toBe(receipt.messageId);

      const res = await receive(3_000);
      const { messages } = await res.json() as { messages: Array<Record<string, unknown>> };
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({
        msgId: receipt.messageId, topic: 'rmq-out', tag: 'created', keys: ['r-1', 'r-2'], body: 'from rocketmq', contentType: 'text/plain',
      });
      expect(messages[0]!.properties).toMatchObject({ color: 'blue' });
    } finally {
      await shutdownAll([producer]);
      await stomp.disconnect();
      await mq.endAsync();
    }
  });

  test('MQTT 5, STOMP and HTTP publishers → RocketMQ SimpleConsumer', async () => {
    const consumer = await startClient(new SimpleConsumer({
      endpoints, namespace: '', logger: quietLogger, consumerGroup: 'rmq-readers', subscriptions: new Map([['rmq-in', '*']]), awaitDuration: 3_000,
    }));
    const mq = await mqtt.connectAsync(server.url('mqtt'), { protocolVersion: 5, clientId: 'interop-mqtt-pub', reconnectPeriod: 0 });
    const stomp = await RawStompClient.open(server.port('stomp'));
    try {
      await mq.publishAsync('rmq-in/mqtt', 'from mqtt', {
        qos: 1, properties: { contentType: 'text/plain', userProperties: { color: 'red', keys: 'm-1 m-2' } },
      });
      await stomp.request('SEND', { destination: '/topic/rmq-in/stomp', keys: 's-1 s-2', color: 'green', 'content-type': 'text/plain' }, 'from stomp');
      const res = await fetch(`${server.url('http')}/v1/topics/rmq-in/messages`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tag: 'http', keys: ['h-1', 'h-2'], properties: { color: 'yellow' }, body: 'from http', contentType: 'text/plain' }),
      });
      expect(res.status).toBe(201);

      const got = new Map<string, MessageView>();
      for (let i = 0; i < 10 && got.size < 3; i++) {
        for (const m of await consumer.receive(16, 10_000)) {
          got.set(m.tag!, m);
          await consumer.ack(m);
        }
      }
      expect([...got.keys()].sort()).toEqual(['http', 'mqtt', 'stomp']);
      const view = (tag: string): Record<string, unknown> => {
        const m = got.get(tag)!;
        return {
          topic: m.topic, body: m.body.toString(), keys: m.keys,
          color: m.properties.get('color'), contentType: m.properties.get('CONTENT_TYPE'), corrupted: m.corrupted === true,
        };
      };
      const common = { topic: 'rmq-in', contentType: 'text/plain', corrupted: false };
      expect(view('mqtt')).toEqual({ ...common, body: 'from mqtt', keys: ['m-1', 'm-2'], color: 'red' });
      expect(view('stomp')).toEqual({ ...common, body: 'from stomp', keys: ['s-1', 's-2'], color: 'green' });
      expect(view('http')).toEqual({ ...common, body: 'from http', keys: ['h-1', 'h-2'], color: 'yellow' });
    } finally {
      await shutdownAll([consumer]);
      await stomp.disconnect();
      await mq.endAsync();
    }
  });
});
