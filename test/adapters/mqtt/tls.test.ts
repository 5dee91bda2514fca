/** TLS on both listeners (mqtts and wss), with a self-signed test certificate (fixtures/, for tests only). */
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { inbox, startHarness, type Harness } from './harness.js';

const key = readFileSync(new URL('./fixtures/test-key.pem', import.meta.url), 'utf8');
const cert = readFileSync(new URL('./fixtures/test-cert.pem', import.meta.url), 'utf8');

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { tls: { key, cert } } });
});
afterAll(async () => {
  await h.stop();
});

test('mqtts and wss clients exchange messages through the kernel', async () => {
  const [tcp, ws] = h.adapter.addresses();
  expect(tcp!.url).toMatch(/^mqtts:/);
  expect(ws!.url).toMatch(/^wss:/);
  const sub = await mqtt.connectAsync(`mqtts://127.0.0.1:${tcp!.port}`, { ca: cert, reconnectPeriod: 0, protocolVersion: 5 });
  const box = inbox(sub);
  await sub.subscribeAsync('secure/#', { qos: 1 });
  const pub = await mqtt.connectAsync(`wss://127.0.0.1:${ws!.port}/mqtt`, { ca: cert, reconnectPeriod: 0 });
  await pub.publishAsync('secure/t', 'over tls', { qos: 1 });
  const [m] = await box.next(1);
  expect(m!.payload.toString()).toBe('over tls');
  await sub.endAsync();
  await pub.endAsync();
});
