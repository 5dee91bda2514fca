/** MQTT over WebSocket, both protocol versions, against TCP clients. */
import { inbox, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

test.each([4, 5] as const)('a WebSocket client (MQTT v%s) publishes to and receives from TCP clients', async (protocolVersion) => {
  const ws = await h.connect({ protocol: 'ws', protocolVersion });
  const wsBox = inbox(ws);
  await ws.subscribeAsync(`wsin${protocolVersion}/#`, { qos: 1 });
  const tcp = await h.connect();
  const tcpBox = inbox(tcp);
  await tcp.subscribeAsync(`wsout${protocolVersion}/#`, { qos: 1 });
  await ws.publishAsync(`wsout${protocolVersion}/a`, 'from ws', { qos: 1 });
  await tcp.publishAsync(`wsin${protocolVersion}/b`, Buffer.alloc(100_000, 7), { qos: 2 });
  const [fromWs] = await tcpBox.next(1);
  expect(fromWs!.payload.toString()).toBe('from ws');
  const [toWs] = await wsBox.next(1);
  expect(toWs!.payload.length).toBe(100_000);
  expect(toWs!.packet.qos).toBe(1);
});
