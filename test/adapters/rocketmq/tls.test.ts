/**
 * The RocketMQ listener over TLS with Apache's client (`sslEnabled`). The client trusts
 * only the system roots, so the test's self-signed CA is handed to grpc-js through
 * GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, which grpc-js reads when it is loaded: everything that
 * loads grpc-js is imported after the variable is set.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const certFile = path.join(fixtures, 'localhost-cert.pem');
process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH = certFile;

describe('RocketMQ listener over TLS', () => {
  test('a TLS client sends and receives; the listener says grpcs://', async () => {
    const helpers = await import('./helpers.js');
    const { Producer, SimpleConsumer } = await import('rocketmq-client-nodejs');
    const h = await helpers.startRocketMq({
      config: { tls: { cert: readFileSync(certFile), key: readFileSync(path.join(fixtures, 'localhost-key.pem')) } },
    });
    const options = { endpoints: h.endpoints, namespace: '', logger: helpers.quietLogger, sslEnabled: true };
    let producer: InstanceType<typeof Producer> | undefined;
    let consumer: InstanceType<typeof SimpleConsumer> | undefined;
    try {
      expect(h.adapter.addresses()[0]!.url).toBe(`grpcs://127.0.0.1:${h.port}`);
      consumer = await helpers.startClient(new SimpleConsumer({ ...options, consumerGroup: 'tls-readers', subscriptions: new Map([['secure', '*']]), awaitDuration: 3_000 }));
      producer = await helpers.startClient(new Producer({ ...options, topics: ['secure'] }));
      const receipt = await producer.send({ topic: 'secure', tag: 'tls', body: Buffer.from('over tls') });
      const got = await consumer.receive(1, 10_000);
      expect(got.map((m) => [m.messageId, m.tag, m.body.toString()])).toEqual([[receipt.messageId, 'tls', 'over tls']]);
      await consumer.ack(got[0]!);
    } finally {
      await helpers.shutdownAll([producer, consumer]);
      await h.close();
    }
  });
});
