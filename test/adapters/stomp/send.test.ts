/**
 * SEND (STOMP 1.2 §SEND) over real TCP: SENDs that arrive together are stored in
 * kernel batches, in order, each RECEIPT after its message is stored, and an invalid
 * SEND in the middle of a run is answered for exactly that frame.
 */
import { encodeFrame } from '../../../src/adapters/stomp/encoder.js';
import { makeFrame } from '../../../src/adapters/stomp/frame.js';
import { ConsumeFrom, ConsumeStatus } from '../../../src/kernel/index.js';
import { useStompServer } from './helpers/fixture.js';
import type { RawStompClient } from './helpers/server.js';

const stomp = useStompServer();

const client = (): Promise<RawStompClient> => stomp.client();

async function bodiesOf(topic: string, expected: number): Promise<string[]> {
  const consumer = stomp.server.kernel.client.createPushConsumer({ group: `check-${topic}`, consumeFrom: ConsumeFrom.First });
  consumer.subscribe(topic, '*');
  const got: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.start(async (m) => {
      got.push(m.body.toString());
      if (got.length === expected) resolve();
      return ConsumeStatus.Success;
    });
  });
  await consumer.shutdown(0);
  return got;
}

test('STOMP 1.2 §SEND: a burst in one TCP write keeps its order on one queue per batch', async () => {
  await stomp.server.kernel.client.admin.createTopic({ topic: 'burst', queueCount: 1 });
  const producer = await client();
  const frames = Array.from({ length: 300 }, (_, i) => encodeFrame(makeFrame('SEND', { destination: '/queue/burst' }, `b${i}`)));
  producer.raw(Buffer.concat([...frames, encodeFrame(makeFrame('SEND', { destination: '/queue/burst', receipt: 'end' }, 'b300'))]));
  expect((await producer.next()).headers.get('receipt-id')).toBe('end');
  expect(await bodiesOf('burst', 301)).toEqual(Array.from({ length: 301 }, (_, i) => `b${i}`));
});

test('STOMP 1.2 §SEND: an invalid SEND in a run: earlier ones are stored and receipted, the ERROR names it', async () => {
  await stomp.server.kernel.client.admin.createTopic({ topic: 'run', queueCount: 1 });
  const producer = await client();
  producer.raw(Buffer.concat([
    encodeFrame(makeFrame('SEND', { destination: '/queue/run', receipt: '1' }, 'one')),
    encodeFrame(makeFrame('SEND', { destination: '/queue/run', receipt: '2' }, 'two')),
    encodeFrame(makeFrame('SEND', { destination: '/queue/run', priority: 'urgent', receipt: '3' }, 'bad')),
    encodeFrame(makeFrame('SEND', { destination: '/queue/run', receipt: '4' }, 'never')),
  ]));
  const replies = await producer.take(3);
  expect(replies.map((f) => [f.command, f.headers.get('receipt-id')])).toEqual([['RECEIPT', '1'], ['RECEIPT', '2'], ['ERROR', '3']]);
  expect(replies[2]!.headers.get('message')).toBe('invalid priority header');
  await producer.closed;
  expect(await bodiesOf('run', 2)).toEqual(['one', 'two']);
  expect(stomp.server.adapter.stats().messagesIn).toBeGreaterThanOrEqual(2);
});

test('STOMP 1.2 §SEND: sends to different topics in one run all arrive', async () => {
  const producer = await client();
  producer.raw(Buffer.concat([
    encodeFrame(makeFrame('SEND', { destination: '/queue/mixa' }, 'a')),
    encodeFrame(makeFrame('SEND', { destination: '/queue/mixb', JMSXGroupID: 'g1' }, 'b1')),
    encodeFrame(makeFrame('SEND', { destination: '/queue/mixb', JMSXGroupID: 'g2' }, 'b2')),
    encodeFrame(makeFrame('SEND', { destination: '/queue/mixa', receipt: 'done' }, 'a2')),
  ]));
  expect((await producer.next()).headers.get('receipt-id')).toBe('done');
  expect((await bodiesOf('mixa', 2)).sort()).toEqual(['a', 'a2']);
  expect((await bodiesOf('mixb', 2)).sort()).toEqual(['b1', 'b2']);
});
