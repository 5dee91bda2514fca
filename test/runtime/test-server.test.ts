/**
 * The embedded runtime with this build's real adapters, through test/helpers/runtime.ts:
 * every listener on a free port, readiness and info over HTTP, a message from HTTP to MQTT,
 * and users from the config enforced over HTTP.
 */
import mqtt from 'mqtt';
import { hashPassword } from '../../src/adapters/common/user-auth.js';
import { startTestServer, type TestServer } from '../helpers/runtime.js';

describe('startTestServer with the real adapters', () => {
  let server: TestServer;
  afterEach(async () => server?.stop());

  test('every listener on 127.0.0.1 and a free port; /v1/health ready; /v1/info shows config sources', async () => {
    server = await startTestServer();
    expect(server.addresses.map((a) => a.name)).toEqual(['mqtt', 'mqtt-ws', 'stomp', 'stomp-ws', 'rocketmq', 'http']);
    for (const a of server.addresses) expect(a.port).toBeGreaterThan(0);
    const health = await fetch(`${server.url('http')}/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok', listeners: { mqtt: true, 'mqtt-ws': true, stomp: true, 'stomp-ws': true, rocketmq: true, http: true },
    });
    const info = await (await fetch(`${server.url('http')}/v1/info`)).json() as Record<string, any>;
    expect(info).toMatchObject({ name: 'rocketgate', nodeId: 'test-node', flush: 'async' });
    expect(info.config['log.level']).toEqual({ value: 'silent', source: 'file', origin: 'file startTestServer overrides' });
    expect(info.config.defaultQueueCount).toEqual({ value: 8, source: 'default' });
  });

  test('a disabled adapter does not listen; a message published over HTTP reaches an MQTT subscriber', async () => {
    server = await startTestServer({ stomp: { enabled: false }, mqtt: { wsPort: null }, rocketmq: { enabled: false } });
    expect(server.addresses.map((a) => a.name)).toEqual(['mqtt', 'http']);
    const client = await mqtt.connectAsync(server.url('mqtt'), { clientId: 'runtime-test', reconnectPeriod: 0 });
    try {
      const received = new Promise<{ topic: string; payload: string }>((resolve) => {
        client.on('message', (topic, payload) => resolve({ topic, payload: payload.toString() }));
      });
      await client.subscribeAsync('orders/#', { qos: 1 });
      const res = await fetch(`${server.url('http')}/v1/topics/orders/messages`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tag: 'created', body: 'from http' }),
      });
      expect(res.status).toBe(201);
      expect(await received).toEqual({ topic: 'orders/created', payload: 'from http' });
    } finally {
      await client.endAsync();
    }
  });

  test('configured users: anonymous refused, basic and bearer accepted, ACL enforced', async () => {
    const passwordHash = hashPassword('pw', { N: 1024, r: 8, p: 1 });
    server = await startTestServer({
      allowAnonymous: false,
      users: [{ username: 'bob', passwordHash, admin: false, readOnly: false, tokens: ['bob-token-0123456789'], acl: [{ pattern: 'orders/#', actions: ['publish'] }] }],
      mqtt: { enabled: false }, stomp: { enabled: false },
    });
    const publish = (topic: string, authorization?: string) => fetch(`${server.url('http')}/v1/topics/${topic}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ body: 'x' }),
    });
    expect((await publish('orders')).status).toBe(401);
    expect((await publish('orders', `Basic ${Buffer.from('bob:wrong').toString('base64')}`)).status).toBe(401);
    expect((await publish('orders', `Basic ${Buffer.from('bob:pw').toString('base64')}`)).status).toBe(201);
    expect((await publish('orders', 'Bearer bob-token-0123456789')).status).toBe(201);
    expect((await publish('orders', `Bearer ${Buffer.from('bob:pw').toString('base64')}`)).status).toBe(201);
    expect((await publish('payments', 'Bearer bob-token-0123456789')).status).toBe(403);
  });
});
