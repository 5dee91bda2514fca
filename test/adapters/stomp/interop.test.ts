/**
 * Interop with the kernel client (DESIGN.md §5 cross-protocol contract): tag,
 * properties, content type, binary body and the JMS fields, both directions.
 */
import { ConsumeFrom, ConsumeStatus, type StoredMessage } from '../../../src/kernel/index.js';
import { useStompServer } from './helpers/fixture.js';
import type { RawStompClient } from './helpers/server.js';

const stomp = useStompServer();

const client = (): Promise<RawStompClient> => stomp.client();

/** a kernel push consumer reading `topic` from the start; resolves with the first `n` messages */
async function kernelReceive(topic: string, n: number): Promise<StoredMessage[]> {
  const consumer = stomp.server.kernel.client.createPushConsumer({ group: `kernel-${topic}`, consumeFrom: ConsumeFrom.First, rebalanceIntervalMs: 100 });
  consumer.subscribe(topic, '*');
  const got: StoredMessage[] = [];
  await new Promise<void>((resolve) => {
    void consumer.start(async (m) => {
      got.push(m);
      if (got.length === n) resolve();
      return ConsumeStatus.Success;
    });
  });
  await consumer.shutdown(0);
  return got;
}

const BINARY = Buffer.from([0x00, 0xff, 0x0a, 0x00, 0x3a, 0x5c, 0x80]);

test('kernel producer → STOMP subscriber: tag, properties, content type, binary body, JMS fields', async () => {
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/interop1/created' });
  const producer = stomp.server.kernel.client.createProducer();
  await producer.send({ topic: 'interop1', tag: 'other', body: Buffer.from('not for us') });
  const sent = await producer.send({
    topic: 'interop1', tag: 'created', body: BINARY, contentType: 'application/octet-stream',
    properties: { region: 'eu', 'with:colon': 'line\nbreak' }, keys: ['k1', 'k2'], shardingKey: 'group-7', priority: 6,
    correlationId: 'corr', replyTo: '/queue/answers',
  });
  const f = await sub.next();
  expect(f.body.equals(BINARY)).toBe(true);
  expect(f.headers.get('content-type')).toBe('application/octet-stream');
  expect(f.headers.get('content-length')).toBe(String(BINARY.length));
  expect(f.headers.get('region')).toBe('eu');
  // STOMP 1.2 §Value Encoding: names and values with : and LF survive
  expect(f.headers.get('with:colon')).toBe('line\nbreak');
  expect(f.headers.get('keys')).toBe('k1 k2');
  expect(f.headers.get('JMSXGroupID')).toBe('group-7');
  expect(f.headers.get('priority')).toBe('6');
  expect(f.headers.get('correlation-id')).toBe('corr');
  expect(f.headers.get('reply-to')).toBe('/queue/answers');
  expect(f.headers.get('message-id')).toBe(sent.msgId);
  expect(await sub.quiet(150)).toBe(true);
});

test('STOMP SEND → kernel consumer: topic, tag, properties, content type, binary body, JMS fields', async () => {
  const producer = await client();
  await producer.request('SEND', {
    destination: '/queue/interop2/updated', 'content-type': 'application/x-bin', type: 'order', 'x-trace': 't-1',
    keys: 'a b', JMSXGroupID: 'g', priority: '9', 'correlation-id': 'c', 'reply-to': '/topic/back', persistent: 'true',
  }, BINARY);
  const [m] = await kernelReceive('interop2', 1);
  expect(m).toMatchObject({
    topic: 'interop2', tag: 'updated', contentType: 'application/x-bin', keys: ['a', 'b'], shardingKey: 'g', priority: 9,
    correlationId: 'c', replyTo: '/topic/back', properties: { type: 'order', 'x-trace': 't-1', persistent: 'true' },
  });
  expect(m!.path).toBeUndefined();
  expect(m!.body.equals(BINARY)).toBe(true);
});

test('levels 3+ travel as the protocol-neutral path, both ways', async () => {
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/interop3/a/b' });
  const producer = await client();
  await producer.request('SEND', { destination: '/topic/interop3/a/b' }, 'from stomp');
  const [m] = await kernelReceive('interop3', 1);
  expect(m).toMatchObject({ topic: 'interop3', tag: 'a', path: 'interop3/a/b' });
  expect((await sub.next()).body.toString()).toBe('from stomp');
  // a kernel (or MQTT) message with the same path reaches the STOMP subscriber
  await stomp.server.kernel.client.createProducer().send({ topic: 'interop3', tag: 'a', path: 'interop3/a/b', body: Buffer.from('from kernel') });
  expect((await sub.next()).body.toString()).toBe('from kernel');
});

test('keys: space separated both ways (RocketMQ KEY_SEPARATOR), so a key may hold a comma', async () => {
  const producer = await client();
  await producer.request('SEND', { destination: '/queue/interop-keys', keys: 'sku-1,2  order-7' }, 'k');
  const [m] = await kernelReceive('interop-keys', 1);
  expect(m!.keys).toEqual(['sku-1,2', 'order-7']);
  const found = await stomp.server.kernel.client.admin.queryMessagesByKey({ topic: 'interop-keys', key: 'sku-1,2' });
  expect(found.map((x) => x.body.toString())).toEqual(['k']);
  const sub = await client();
  await sub.request('SUBSCRIBE', { id: 's', destination: '/queue/interop-keys2' });
  await stomp.server.kernel.client.createProducer().send({ topic: 'interop-keys2', keys: ['a,b', 'c'], body: Buffer.from('from kernel') });
  expect((await sub.next()).headers.get('keys')).toBe('a,b c');
});
