/**
 * Two gateway nodes (two MQTT adapters) over one kernel, as in issue 11: a client id
 * connecting to the second node takes its session over (the first connection is
 * closed, v5 0x8E), a persistent session resumes there with what it missed, the old
 * node's writes are refused, and retained messages and wills are cluster-wide.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { ProtocolAdapter } from '../../../src/adapters/adapter.js';
import { openAuthenticator } from '../../../src/adapters/common/auth.js';
import { createMqttAdapter, defaultMqttConfig } from '../../../src/adapters/mqtt/index.js';
import { SessionOwners } from '../../../src/adapters/mqtt/session-owners.js';
import { startTestKernel, type TestKernel, waitFor } from '../../helpers/kernel.js';
import type { IPublishPacket } from 'mqtt-packet';
import { drain, inbox } from './harness.js';
import { rawConnect } from './raw-client.js';

let kernel: TestKernel;
let nodes: ProtocolAdapter[];
const clients: MqttClient[] = [];
const logger = pino({ level: process.env.MQTT_TEST_LOG ?? 'silent' });

beforeEach(async () => {
  kernel = await startTestKernel();
  nodes = [];
  for (const nodeId of ['node-a', 'node-b']) {
    const adapter = createMqttAdapter({ kernel: kernel.client, logger, metrics: new Registry(), auth: openAuthenticator }, { ...defaultMqttConfig, host: '127.0.0.1', port: 0, wsPort: null, nodeId });
    await adapter.start();
    nodes.push(adapter);
  }
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  for (const n of nodes) await n.stop();
  await kernel.cleanup();
});

async function connect(node: 0 | 1, opts: IClientOptions = {}): Promise<MqttClient> {
  const c = mqtt.connect(`mqtt://127.0.0.1:${nodes[node]!.addresses()[0]!.port}`, { reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
  clients.push(c);
  inbox(c);
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return c;
}

const persistent = (clientId: string): IClientOptions => ({ clientId, clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 3600 } });

test('the same client id on a second node closes the first connection with 0x8E; the session continues there', async () => {
  const first = await connect(0, persistent('roamer'));
  await first.subscribeAsync('roam/#', { qos: 1 });
  const takenOver = new Promise<number | undefined>((resolve) => first.once('disconnect', (p) => resolve(p.reasonCode)));
  const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));

  const second = await connect(1, persistent('roamer'));
  expect(await takenOver).toBe(0x8e);
  await firstClosed;
  const box = inbox(second);
  const pub = await connect(0, { protocolVersion: 5 });
  await pub.publishAsync('roam/here', 'after takeover', { qos: 1 });
  const [m] = await box.next(1);
  expect(m!.payload.toString()).toBe('after takeover');
  // exactly once: the old node delivers nothing more for it
  expect(await drain(pub, box, 'roam/marker')).toHaveLength(0);
});

test('MQTT 3.1.1: a clean session taken over on another node is closed', async () => {
  const first = await connect(0, { clientId: 'plain', protocolVersion: 4 });
  const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
  await connect(1, { clientId: 'plain', protocolVersion: 4 });
  await firstClosed;
});

test('a persistent session resumed on the other node receives what it missed, once', async () => {
  const away = await connect(0, persistent('traveller'));
  await away.subscribeAsync('trip/#', { qos: 1 });
  await away.endAsync();
  const pub = await connect(0, { protocolVersion: 5 });
  for (let i = 0; i < 5; i++) await pub.publishAsync(`trip/${i}`, `missed ${i}`, { qos: 1 });

  const back = await connect(1, persistent('traveller'));
  const box = inbox(back);
  const got = await box.next(5);
  expect(got.map((m) => m.payload.toString()).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `missed ${i}`));
  expect(await drain(pub, box, 'trip/marker')).toHaveLength(0);
  // and back again on the first node: the subscription followed the session
  await back.endAsync();
  await pub.publishAsync('trip/late', 'later', { qos: 1 });
  const again = await connect(0, persistent('traveller'));
  const [m] = await inbox(again).next(1);
  expect(m!.payload.toString()).toBe('later');
});

test('retained messages and wills are cluster-wide', async () => {
  const a = await connect(0, { protocolVersion: 5 });
  await a.publishAsync('cw/retained', 'kept', { qos: 1, retain: true });
  const watcher = await connect(1, { protocolVersion: 5 });
  const box = inbox(watcher);
  await watcher.subscribeAsync('cw/#', { qos: 1 });
  const [r] = await box.next(1);
  expect(r!.payload.toString()).toBe('kept');
  expect(r!.packet.retain).toBe(true);

  const dying = await connect(0, { clientId: 'dying', protocolVersion: 5, will: { topic: 'cw/will', payload: Buffer.from('gone'), qos: 1, retain: false } });
  dying.stream.destroy();
  const [, w] = await box.next(2);
  expect(w!.topic).toBe('cw/will');
});

test('a will waiting for its delay on one node is not sent when the client connects again on another', async () => {
  const watcher = await connect(1, { protocolVersion: 5 });
  const box = inbox(watcher);
  await watcher.subscribeAsync('delayed/#', { qos: 1 });
  const willed = { clientId: 'willed', protocolVersion: 5 as const, properties: { sessionExpiryInterval: 3600 }, clean: false, will: { topic: 'delayed/will', payload: Buffer.from('late'), qos: 1 as const, retain: false, properties: { willDelayInterval: 2 } } };
  const first = await connect(0, willed);
  first.stream.destroy();
  await connect(1, { ...willed, will: undefined });
  // past the delay: the first node had the will armed, and must have dropped it
  const since = Date.now();
  await waitFor(() => Date.now() - since > 3_000, 5_000, 'the will delay to pass');
  expect(await drain(watcher, box, 'delayed/marker')).toHaveLength(0);
});

test('a QoS 2 exchange open on one node completes on the other: PUBREL again with the same id, no second PUBLISH', async () => {
  const port = (node: 0 | 1): number => nodes[node]!.addresses()[0]!.port;
  const { c } = await rawConnect(port(0), 'q2-roamer');
  c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'qtwonodes/#', qos: 2 }] });
  await c.next('suback');
  const pub = await connect(0, { protocolVersion: 5 });
  await pub.publishAsync('qtwonodes/x', 'once', { qos: 2 });
  const first = (await c.next('publish')) as IPublishPacket;
  c.send({ cmd: 'pubrec', messageId: first.messageId });
  await c.next('pubrel');

  const { c: moved, connack } = await rawConnect(port(1), 'q2-roamer');
  expect(connack).toMatchObject({ sessionPresent: true });
  await c.closed; // taken over
  expect(await moved.next('pubrel')).toMatchObject({ messageId: first.messageId });
  moved.send({ cmd: 'pubcomp', messageId: first.messageId });
  await pub.publishAsync('qtwonodes/x', 'marker', { qos: 2 });
  const marker = (await moved.next('publish')) as IPublishPacket;
  expect(marker.payload.toString()).toBe('marker');
  expect(moved.received.filter((p) => p.cmd === 'publish')).toEqual([]);
  moved.destroy();
});

test('ownership: a node sees another node claim a client id, no longer holds it, and releases it', async () => {
  const lost: Array<[string, number]> = [];
  const a = new SessionOwners({ kernel: kernel.client, nodeId: 'owner-a', logger, lost: (id, by) => lost.push([id, by.epoch]) });
  const b = new SessionOwners({ kernel: kernel.client, nodeId: 'owner-b', logger, lost: () => undefined });
  await a.open();
  await b.open();
  const first = await a.claim('c1');
  expect(first.previous).toBeUndefined();
  expect(a.holds('c1', first.epoch)).toBe(true);
  const second = await b.claim('c1'); // reads the table up to date first: sees a's claim
  expect(second.previous?.node).toBe('owner-a');
  expect(second.epoch).toBe(first.epoch + 1);
  const released = b.waitReleased('c1', second.epoch, 5_000);
  await waitFor(() => lost.length > 0, 5_000, 'a to see the takeover');
  expect(lost).toEqual([['c1', second.epoch]]);
  expect(a.holds('c1', first.epoch)).toBe(false); // a's commits and session writes are refused from now on
  await a.release('c1', first.epoch); // a stale release leaves the new claim alone
  await a.released('c1', second.epoch);
  expect(await released).toBe(true);
  expect(b.holds('c1', second.epoch)).toBe(true);
  await a.close();
  await b.close();
});
