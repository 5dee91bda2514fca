import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AdapterContext, ProtocolAdapter } from '../../src/adapters/adapter.js';
import { hashPassword } from '../../src/adapters/common/user-auth.js';
import type { AdapterHostHooks, AdapterRegistration, AdapterSettings } from '../../src/adapters/registry.js';
import { defaultConfig } from '../../src/runtime/config.js';
import { adapterSettings } from '../../src/runtime/embedded.js';
import { startTestServer } from '../helpers/runtime.js';

interface Seen {
  events: string[];
  contexts: AdapterContext[];
  settings: AdapterSettings[];
  hooks: AdapterHostHooks[];
}

function fake(name: string, seen: Seen, behaviour: { failStart?: boolean; enabled?: (s: AdapterSettings) => boolean } = {}): AdapterRegistration {
  return {
    name,
    enabled: behaviour.enabled ?? (() => true),
    create(context, settings, hooks): ProtocolAdapter {
      seen.contexts.push(context);
      seen.settings.push(settings);
      seen.hooks.push(hooks);
      const server = net.createServer((socket) => socket.end());
      return {
        name,
        async start() {
          if (behaviour.failStart) throw new Error('boom');
          await new Promise<void>((resolve) => server.listen(0, settings.host, resolve));
          seen.events.push(`start ${name}`);
        },
        async stop() {
          await new Promise<void>((resolve) => server.close(() => resolve()));
          seen.events.push(`stop ${name}`);
        },
        stats: () => ({ connections: 1, messagesIn: 2, messagesOut: 3, extra: 4 }),
        addresses: () => {
          const port = (server.address() as net.AddressInfo).port;
          return [{ name, host: settings.host, port, url: `tcp://${settings.host}:${port}` }];
        },
      };
    },
  };
}

const newSeen = (): Seen => ({ events: [], contexts: [], settings: [], hooks: [] });

describe('startEmbedded', () => {
  test('starts enabled adapters in registry order, prints real ports, stops in reverse, then the kernel', async () => {
    const seen = newSeen();
    const registry = [fake('one', seen), fake('off', seen, { enabled: (s) => s.stomp.enabled }), fake('two', seen)];
    const server = await startTestServer({ stomp: { enabled: false } }, { registry });
    expect(seen.events).toEqual(['start one', 'start two']);
    expect(server.addresses.map((a) => a.name)).toEqual(['one', 'two']);
    expect(server.port('one')).toBeGreaterThan(0);
    expect(server.lines).toEqual([
      `one listening on tcp://127.0.0.1:${server.port('one')}`,
      `two listening on tcp://127.0.0.1:${server.port('two')}`,
      expect.stringMatching(/^rocketgate \S+ ready: node test-node, data dir .*rocketgate-runtime-.*, flush async$/),
    ]);
    const topics = await seen.contexts[0]!.kernel.admin.listTopics();
    expect(Array.isArray(topics)).toBe(true);

    const restarted = await server.restart();
    expect(seen.events).toEqual(['start one', 'start two', 'stop two', 'stop one', 'start one', 'start two']);
    await restarted.stop();
    expect(seen.events.slice(-2)).toEqual(['stop two', 'stop one']);
  });

  test('hooks: readiness per listener, info with masked config sources, the adapters\' stats', async () => {
    const seen = newSeen();
    const passwordHash = hashPassword('pw', { N: 1024, r: 8, p: 1 });
    const server = await startTestServer(
      { users: [{ username: 'alice', passwordHash, admin: true, readOnly: false, tokens: [], acl: [] }], allowAnonymous: false },
      { registry: [fake('one', seen), fake('two', seen)] },
    );
    const hooks = seen.hooks[0]!;
    expect(hooks.readiness()).toEqual({ ready: true, listeners: { one: true, two: true } });
    expect(hooks.extraStats()).toEqual({
      one: { connections: 1, messagesIn: 2, messagesOut: 3 }, two: { connections: 1, messagesIn: 2, messagesOut: 3 },
    });
    const info = hooks.info();
    expect(info).toMatchObject({ name: 'rocketgate', nodeId: 'test-node', flush: 'async', dataDir: server.dataDir });
    const config = info.config as Record<string, { value: unknown; source: string }>;
    expect(config['mqtt.port']).toEqual({ value: 0, source: 'file', origin: 'file startTestServer overrides' });
    expect(JSON.stringify(info)).not.toContain(passwordHash);

    const auth = seen.contexts[0]!.auth;
    expect(auth.required).toBe(true);
    expect(auth.authenticate('alice', 'pw')).toMatchObject({ username: 'alice', admin: true });
    expect(seen.contexts[0]!.metrics.getSingleMetric('rocketgate_build_info')).toBeDefined();

    await server.stop();
    expect(hooks.readiness()).toEqual({ ready: false, listeners: { one: false, two: false } });
  });

  test('a failing adapter start stops the ones started, closes the kernel and names the adapter', async () => {
    const seen = newSeen();
    const registry = [fake('one', seen), fake('bad', seen, { failStart: true }), fake('three', seen)];
    await expect(startTestServer({}, { registry })).rejects.toThrow('bad: boom');
    expect(seen.events).toEqual(['start one', 'stop one']);
  });
});

describe('adapterSettings', () => {
  test('maps the config for the adapters and reads TLS files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rg-tls-'));
    try {
      writeFileSync(path.join(dir, 'cert.pem'), 'CERT');
      writeFileSync(path.join(dir, 'key.pem'), 'KEY');
      const config = defaultConfig();
      config.stomp.tls = { certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem'), caFile: null };
      config.stomp.maxConnections = 5;
      const settings = await adapterSettings(config, 'n1');
      expect(settings).toMatchObject({
        host: '0.0.0.0', nodeId: 'n1', maxMessageSize: 4 * 1024 * 1024,
        mqtt: { enabled: true, port: 1883, wsPort: 8083, maxPacketSize: config.mqtt.maxPacketSize },
        stomp: { port: 61613, wsPort: 61614, heartBeatMs: [10000, 10000], maxConnections: 5, defaultPrefetch: 100 },
        http: { port: 8080, maxBodyBytes: config.http.maxBodyBytes },
      });
      expect(settings.stomp.tls).toEqual({ cert: Buffer.from('CERT'), key: Buffer.from('KEY') });
      expect(settings.mqtt.tls).toBeUndefined();
      expect('maxConnections' in settings.mqtt).toBe(false);

      config.http.tls = { certFile: path.join(dir, 'missing.pem'), keyFile: path.join(dir, 'key.pem') };
      await expect(adapterSettings(config, 'n1')).rejects.toThrow(/^http\.tls\.certFile: cannot read .*missing\.pem/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
