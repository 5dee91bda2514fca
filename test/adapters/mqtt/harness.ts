/**
 * A real MQTT gateway on an embedded kernel for the tests: port 0 listeners, a
 * fresh data directory, restart on the same directory, and helpers around the
 * `mqtt` client that wait for events instead of sleeping.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { ProtocolAdapter } from '../../../src/adapters/adapter.js';
import { type Authenticator, openAuthenticator } from '../../../src/adapters/common/auth.js';
import { createMqttAdapter, defaultMqttConfig, type MqttAdapterConfig } from '../../../src/adapters/mqtt/index.js';
import { startTestKernel, type TestKernel } from '../../helpers/kernel.js';

export interface Harness {
  kernel: TestKernel;
  adapter: ProtocolAdapter;
  url: string;
  wsUrl: string;
  /** stops the adapter and the kernel, then starts both again on the same data directory */
  restart(): Promise<void>;
  stop(): Promise<void>;
  connect(opts?: IClientOptions): Promise<MqttClient>;
}

export interface HarnessOptions {
  config?: Partial<MqttAdapterConfig>;
  auth?: Authenticator;
}

const clients = new Set<MqttClient>();
const connacks = new WeakMap<MqttClient, mqtt.IConnackPacket>();

/** the CONNACK that answered the client's CONNECT */
export function connackOf(client: MqttClient): mqtt.IConnackPacket {
  return connacks.get(client)!;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  let kernel = await startTestKernel();
  const config: MqttAdapterConfig = { ...defaultMqttConfig, host: '127.0.0.1', port: 0, wsPort: 0, nodeId: 'test-node', ...options.config };
  const logger = pino({ level: process.env.MQTT_TEST_LOG ?? 'silent' });
  const make = (): ProtocolAdapter => createMqttAdapter({ kernel: kernel.client, logger, metrics: new Registry(), auth: options.auth ?? openAuthenticator }, config);
  let adapter = make();
  await adapter.start();
  const h: Harness = {
    kernel,
    adapter,
    url: '',
    wsUrl: '',
    async restart() {
      await adapter.stop();
      kernel = await kernel.restart();
      h.kernel = kernel;
      // the same ports, so clients reconnect where they were
      const [tcp, ws] = adapter.addresses();
      config.port = tcp!.port;
      if (ws) config.wsPort = ws.port;
      adapter = make();
      h.adapter = adapter;
      await adapter.start();
      setUrls();
    },
    async stop() {
      const trace = process.env.MQTT_TEST_TRACE ? (s: string) => console.log(s) : () => undefined;
      await Promise.all([...clients].map((c) => c.endAsync(true).catch(() => undefined)));
      clients.clear();
      trace('clients closed');
      await adapter.stop();
      trace('adapter stopped');
      await kernel.cleanup();
      trace('kernel closed');
    },
    async connect(opts: IClientOptions = {}) {
      const client = mqtt.connect(opts.protocol === 'ws' ? h.wsUrl : h.url, { reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
      clients.add(client);
      // listen before CONNACK: a resumed session's messages may follow it in the same read
      inbox(client);
      await new Promise<void>((resolve, reject) => {
        client.once('connect', (ack) => {
          connacks.set(client, ack);
          resolve();
        });
        client.once('error', reject);
        client.once('close', () => reject(new Error('connection closed before CONNACK')));
      });
      return client;
    },
  };
  const setUrls = (): void => {
    const [tcp, ws] = adapter.addresses();
    h.url = `mqtt://127.0.0.1:${tcp!.port}`;
    h.wsUrl = ws ? `ws://127.0.0.1:${ws.port}/mqtt` : '';
  };
  setUrls();
  return h;
}

export interface Received {
  topic: string;
  payload: Buffer;
  packet: mqtt.IPublishPacket;
}

export interface Inbox {
  all: Received[];
  next(n?: number, timeoutMs?: number): Promise<Received[]>;
}

const inboxes = new WeakMap<MqttClient, Inbox>();

/** the PUBLISH packets a client received since it was created; `next(n)` resolves once n have arrived */
export function inbox(client: MqttClient): Inbox {
  const existing = inboxes.get(client);
  if (existing) return existing;
  const all: Received[] = [];
  let waiters: Array<() => void> = [];
  client.on('message', (topic, payload, packet) => {
    all.push({ topic, payload, packet });
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  });
  const box: Inbox = {
    all,
    async next(n = 1, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (all.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${n} messages, got ${all.length}: ${all.map((m) => m.topic).join(', ')}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return all.slice(0, n);
    },
  };
  inboxes.set(client, box);
  return box;
}

/** resolves when the client's connection closes */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected && client.disconnected) return resolve();
    client.once('close', () => resolve());
  });
}

/**
 * Proves a negative without a fixed sleep: publishes a marker on `markerTopic` (which
 * the client also receives, after anything sent before it) and returns what arrived
 * before the marker.
 */
export async function drain(publisher: MqttClient, box: Inbox, markerTopic: string): Promise<Received[]> {
  const before = box.all.length;
  const marker = `marker-${Math.random()}`;
  await publisher.publishAsync(markerTopic, marker, { qos: 1 });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const i = box.all.findIndex((m, idx) => idx >= before && m.payload.toString() === marker);
    if (i >= 0) return box.all.slice(before, i);
    if (Date.now() > deadline) throw new Error('marker never arrived');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** the SUBACK codes for `topics`, failures included (the mqtt client rejects on any failure code) */
export async function granted(client: MqttClient, topics: string | string[], opts: mqtt.IClientSubscribeOptions): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, opts)).map((g) => g.qos);
  } catch (err) {
    const packet = (err as { packet?: { granted: number[] } }).packet;
    if (!packet) throw err;
    return packet.granted;
  }
}

/**
 * Returns once the millisecond clock has moved on. A subscription takes messages stored
 * from its own millisecond on, so a test that publishes and then subscribes and
 * expects no live copy starts the subscription in a later millisecond.
 */
export async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  while (Date.now() === now) await new Promise((r) => setImmediate(r));
}
