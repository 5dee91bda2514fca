/**
 * The admin API's live views against a real server (every adapter, port 0) and real
 * clients: individual MQTT and STOMP connections (GET /v1/admin/connections) and closing
 * one (DELETE /v1/admin/connections/{id}), HTTP server-sent-event streams, MQTT retained messages (list, clear), and the
 * server-kept message rates (GET /v1/admin/rates).
 */
import { Client, type IFrame } from '@stomp/stompjs';
import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import type { ConnectionInfo } from '../../../src/adapters/connections.js';
import { hashPassword } from '../../../src/adapters/common/user-auth.js';
import { RateHistory } from '../../../src/adapters/http/rate-history.js';
import { waitFor } from '../../helpers/kernel.js';
import { openEvents } from './helpers.js';
import { startTestServer, type TestServer } from '../../helpers/runtime.js';

const ADMIN = { username: 'admin', password: 'admin-secret-1' };
const VIEWER = { username: 'viewer', password: 'viewer-secret-1' };
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    allowAnonymous: false,
    users: [
      { username: ADMIN.username, passwordHash: hashPassword(ADMIN.password, FAST_SCRYPT), admin: true, readOnly: false, tokens: [], acl: [{ pattern: '#', actions: ['publish', 'subscribe'] }] },
      { username: VIEWER.username, passwordHash: hashPassword(VIEWER.password, FAST_SCRYPT), admin: false, readOnly: true, tokens: [], acl: [{ pattern: '#', actions: ['subscribe'] }] },
    ],
  });
});
afterAll(async () => {
  await server.stop();
});

const basic = (user: { username: string; password: string }): string => `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;

async function api<T = any>(method: string, path: string, user = ADMIN, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url('http')}${path}`, {
    method,
    headers: { Authorization: basic(user), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function connections(protocol?: string): Promise<ConnectionInfo[]> {
  const res = await api<{ connections: ConnectionInfo[] }>('GET', `/v1/admin/connections${protocol ? `?protocol=${protocol}` : ''}`);
  expect(res.status).toBe(200);
  return res.body.connections;
}

async function stompClient(clientId: string): Promise<{ client: Client; errors: IFrame[] }> {
  const errors: IFrame[] = [];
  const client = new Client({
    webSocketFactory: () => new WebSocket(server.url('stomp-ws'), ['v12.stomp']),
    connectHeaders: { login: ADMIN.username, passcode: ADMIN.password, 'client-id': clientId },
    reconnectDelay: 0, heartbeatIncoming: 0, heartbeatOutgoing: 0,
  });
  await new Promise<void>((resolve, reject) => {
    client.onConnect = () => resolve();
    client.onStompError = (frame) => {
      errors.push(frame);
      reject(new Error(frame.headers.message ?? 'STOMP error'));
    };
    client.activate();
  });
  return { client, errors };
}

describe('client connections', () => {
  it('lists MQTT and STOMP clients with version, user, subscriptions and counts', async () => {
    const beforeConnect = Date.now();
    const m = await mqtt.connectAsync(server.url('mqtt'), { clientId: 'conn-list-mqtt', protocolVersion: 5, keepalive: 42, username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
    const { client: s } = await stompClient('conn-list-stomp');
    try {
      await m.subscribeAsync('conn-list/#', { qos: 1 });
      await m.publishAsync('conn-list/a', 'one', { qos: 1 });
      await m.publishAsync('conn-list/b', 'two', { qos: 1 });
      s.subscribe('/queue/conn-list-q', () => undefined, { ack: 'client-individual', 'activemq.prefetchSize': '7' });
      s.publish({ destination: '/queue/conn-list-other', body: 'x' });

      let mqttConn: ConnectionInfo | undefined;
      await waitFor(async () => {
        mqttConn = (await connections('mqtt')).find((c) => c.clientId === 'conn-list-mqtt');
        return mqttConn !== undefined && mqttConn.messagesIn === 2 && mqttConn.messagesOut === 2;
      }, 10_000, 'the MQTT client with 2 in and 2 out');
      expect(mqttConn).toMatchObject({
        protocol: 'mqtt', protocolVersion: '5.0', transport: 'tcp', user: ADMIN.username, keepAliveSeconds: 42, persistentSession: false,
        subscriptions: [{ destination: 'conn-list/#', qos: 1 }],
      });
      expect(mqttConn!.id).toMatch(/^mqtt-\d+$/);
      expect(mqttConn!.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(mqttConn!.connectedAt).toBeGreaterThanOrEqual(beforeConnect);
      expect(mqttConn!.connectedAt).toBeLessThanOrEqual(Date.now());

      let stompConn: ConnectionInfo | undefined;
      await waitFor(async () => {
        stompConn = (await connections('stomp')).find((c) => c.clientId === 'conn-list-stomp');
        return stompConn !== undefined && stompConn.subscriptions.length === 1 && stompConn.messagesIn === 1;
      }, 10_000, 'the STOMP client with its subscription and SEND');
      expect(stompConn).toMatchObject({ protocol: 'stomp', protocolVersion: '1.2', transport: 'ws', user: ADMIN.username, messagesOut: 0 });
      expect(stompConn!.subscriptions[0]).toMatchObject({ destination: '/queue/conn-list-q', ackMode: 'client-individual' });
      expect(stompConn!.subscriptions[0]!.group).toEqual(expect.any(String));

      // the protocol filter keeps to its protocol; without it, both are there
      expect((await connections('stomp')).every((c) => c.protocol === 'stomp')).toBe(true);
      expect((await connections()).map((c) => c.id)).toEqual(expect.arrayContaining([mqttConn!.id, stompConn!.id]));
    } finally {
      await m.endAsync();
      await s.deactivate();
    }
  });

  it('disconnects an MQTT 5 client with reason 0x98 (administrative action)', async () => {
    const m = await mqtt.connectAsync(server.url('mqtt'), { clientId: 'conn-kick-mqtt', protocolVersion: 5, username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
    const reasons: number[] = [];
    m.on('disconnect', (packet) => reasons.push(packet.reasonCode ?? -1));
    const closed = new Promise<void>((resolve) => m.once('close', () => resolve()));
    try {
      const conn = (await connections('mqtt')).find((c) => c.clientId === 'conn-kick-mqtt')!;
      expect((await api('DELETE', `/v1/admin/connections/${conn.id}`, VIEWER)).status).toBe(403);
      expect((await api('DELETE', `/v1/admin/connections/${conn.id}`)).status).toBe(204);
      await closed;
      expect(reasons).toEqual([0x98]);
      await waitFor(async () => !(await connections('mqtt')).some((c) => c.id === conn.id), 5_000, 'the connection to go');
      const again = await api('DELETE', `/v1/admin/connections/${conn.id}`);
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('NOT_FOUND');
    } finally {
      await m.endAsync(true);
    }
  });

  it('disconnects a STOMP client with an ERROR frame', async () => {
    const { client: s, errors } = await stompClient('conn-kick-stomp');
    const closed = new Promise<void>((resolve) => (s.onWebSocketClose = () => resolve()));
    try {
      let conn: ConnectionInfo | undefined;
      await waitFor(async () => (conn = (await connections('stomp')).find((c) => c.clientId === 'conn-kick-stomp')) !== undefined, 5_000, 'the STOMP connection');
      expect((await api('DELETE', `/v1/admin/connections/${conn!.id}`)).status).toBe(204);
      await closed;
      expect(errors.map((e) => e.headers.message)).toEqual(['disconnected by an administrator']);
      expect((await connections('stomp')).some((c) => c.id === conn!.id)).toBe(false);
    } finally {
      await s.deactivate();
    }
  });

  it('lists an SSE stream with its topic and messages sent, and ends it', async () => {
    expect((await api('POST', '/v1/topics', ADMIN, { topic: 'sse-admin' })).status).toBe(201);
    const events = await openEvents(`${server.url('http')}/v1/topics/sse-admin/events`, { Authorization: basic(VIEWER) });
    try {
      await events.nextOf('open');
      const m = await mqtt.connectAsync(server.url('mqtt'), { username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
      await m.publishAsync('sse-admin', 'hello', { qos: 1 });
      await m.endAsync();
      await events.nextOf('message');
      let conn: ConnectionInfo | undefined;
      await waitFor(async () => (conn = (await connections('http')).find((c) => c.subscriptions[0]?.destination === 'sse-admin'))?.messagesOut === 1, 5_000, 'the stream with one message sent');
      expect(conn).toMatchObject({ protocol: 'http', protocolVersion: 'SSE', transport: 'sse', user: VIEWER.username, messagesIn: 0 });
      expect(conn!.id).toMatch(/^sse-\d+$/);
      expect((await api('DELETE', `/v1/admin/connections/${conn!.id}`)).status).toBe(204);
      await expect(events.next(5_000)).rejects.toThrow('event stream ended');
      expect((await connections('http')).some((c) => c.id === conn!.id)).toBe(false);
    } finally {
      events.close();
    }
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await api('DELETE', '/v1/admin/connections/mqtt-999999')).status).toBe(404);
    expect((await api('DELETE', '/v1/admin/connections/NOT%20AN%20ID')).status).toBe(400);
  });
});

describe('MQTT retained messages', () => {
  it('lists them by filter and clears them as an empty retained PUBLISH would', async () => {
    const pub = await mqtt.connectAsync(server.url('mqtt'), { protocolVersion: 5, username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
    try {
      await pub.publishAsync('retained-admin/a', 'alpha', { qos: 1, retain: true, properties: { contentType: 'text/plain', userProperties: { site: 'north' } } });
      await pub.publishAsync('retained-admin/b/c', Buffer.from([0xff, 0x00]), { qos: 1, retain: true });
      await waitFor(async () => (await api('GET', '/v1/admin/mqtt/retained?filter=retained-admin/%23')).body.messages.length === 2, 5_000, 'two retained messages');
      const { body } = await api('GET', '/v1/admin/mqtt/retained?filter=retained-admin/%23');
      expect(body.messages[0]).toMatchObject({ topic: 'retained-admin/a', body: 'alpha', encoding: 'utf8', bodySize: 5, contentType: 'text/plain', properties: { site: 'north' } });
      expect(body.messages[1]).toMatchObject({ topic: 'retained-admin/b/c', body: '/wA=', encoding: 'base64', bodySize: 2 });
      expect((await api('GET', '/v1/admin/mqtt/retained', VIEWER)).status).toBe(200);

      expect((await api('DELETE', '/v1/admin/mqtt/retained?filter=retained-admin/%23', VIEWER)).status).toBe(403);
      expect((await api('DELETE', '/v1/admin/mqtt/retained')).status).toBe(400);
      const invalid = await api('GET', '/v1/admin/mqtt/retained?filter=a/%23/b');
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.message).toContain('invalid MQTT topic filter');
      const cleared = await api('DELETE', '/v1/admin/mqtt/retained?filter=retained-admin/b/%2B');
      expect(cleared).toEqual({ status: 200, body: { cleared: 1 } });
      expect((await api('GET', '/v1/admin/mqtt/retained?filter=retained-admin/%23')).body.messages.map((m: { topic: string }) => m.topic)).toEqual(['retained-admin/a']);

      // a new subscriber gets only what is left
      const sub = await mqtt.connectAsync(server.url('mqtt'), { protocolVersion: 5, username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
      const got: string[] = [];
      sub.on('message', (topic) => got.push(topic));
      await sub.subscribeAsync('retained-admin/#', { qos: 1 });
      await waitFor(() => got.length >= 1, 5_000, 'the retained message');
      await sub.publishAsync('retained-admin/marker', 'end', { qos: 1 });
      await waitFor(() => got.includes('retained-admin/marker'), 5_000, 'the marker');
      expect(got).toEqual(['retained-admin/a', 'retained-admin/marker']);
      await sub.endAsync();
    } finally {
      await pub.endAsync();
    }
  });
});

describe('rate history', () => {
  it('is kept by the server: samples with per-protocol rates', async () => {
    const m = await mqtt.connectAsync(server.url('mqtt'), { username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
    try {
      await m.publishAsync('rates-admin', 'x', { qos: 1 });
      let samples: Array<{ at: number; in: Record<string, number>; out: Record<string, number>; connections: Record<string, number> }> = [];
      await waitFor(async () => {
        const res = await api('GET', '/v1/admin/rates', VIEWER);
        samples = res.body.samples;
        return samples.length > 0;
      }, 15_000, 'a rate sample');
      const last = samples[samples.length - 1]!;
      expect(Object.keys(last.in)).toEqual(expect.arrayContaining(['mqtt', 'stomp', 'http']));
      expect(last.connections.mqtt).toBeGreaterThanOrEqual(1);
    } finally {
      await m.endAsync();
    }
  });

  it('turns counter deltas into rates, keeps the window and restarts a counter that went down', () => {
    let now = 1_000_000;
    let counters = { mqtt: { connections: 1, messagesIn: 0, messagesOut: 0 } };
    const history = new RateHistory(() => counters, { intervalMs: 1_000, windowMs: 3_000, now: () => now });
    history.sample();
    expect(history.samples()).toEqual([]);
    for (const [dIn, dOut] of [[10, 20], [5, 0], [0, 0], [30, 3]] as const) {
      now += 1_000;
      counters = { mqtt: { connections: 1, messagesIn: counters.mqtt.messagesIn + dIn, messagesOut: counters.mqtt.messagesOut + dOut } };
      history.sample();
    }
    // 3 s window at 1 s: the oldest of the four samples is gone
    expect(history.samples().map((s) => s.in.mqtt)).toEqual([5, 0, 30]);
    expect(history.samples().map((s) => s.out.mqtt)).toEqual([0, 0, 3]);
    now += 2_000;
    counters = { mqtt: { connections: 0, messagesIn: 4, messagesOut: 0 } };
    history.sample();
    expect(history.samples().at(-1)).toEqual({ at: now, in: { mqtt: 2 }, out: { mqtt: 0 }, connections: { mqtt: 0 } });
  });
});
