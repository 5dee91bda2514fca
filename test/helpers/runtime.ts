/**
 * The embedded runtime on a fresh temp data directory with every port 0 and logging
 * silenced, for tests with real clients (mqtt, @stomp/stompjs, fetch) over real sockets.
 *
 *   const server = await startTestServer({ stomp: { enabled: false } });
 *   await fetch(`${server.url('http')}/v1/health`);
 *   await server.stop();             // stops and removes the data directory
 */
import type { ListenerAddress } from '../../src/adapters/adapter.js';
import type { AdapterRegistration } from '../../src/adapters/registry.js';
import { resolveConfig, type Config } from '../../src/runtime/config.js';
import { startEmbedded, type RunningServer } from '../../src/runtime/embedded.js';
import { makeTempDir } from './temp-dir.js';

export type ConfigOverrides = { [K in keyof Config]?: Config[K] extends unknown[] ? Config[K] : Config[K] extends object ? { [L in keyof Config[K]]?: Config[K][L] } : Config[K] };

export interface TestServer {
  server: RunningServer;
  config: Config;
  addresses: readonly ListenerAddress[];
  dataDir: string;
  /** what the server printed (listening lines, ready line) */
  lines: string[];
  /** the listener by name (`mqtt`, `mqtt-ws`, `stomp`, `stomp-ws`, `http`); throws when absent */
  address(name: string): ListenerAddress;
  url(name: string): string;
  port(name: string): number;
  /** stops the server; the data directory stays until `stop` of the restarted server */
  restart(overrides?: ConfigOverrides): Promise<TestServer>;
  /** stops the server and removes its data directory */
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** default the build's adapters */
  registry?: readonly AdapterRegistration[];
}

const TEST_BASE: ConfigOverrides = {
  host: '127.0.0.1',
  nodeId: 'test-node',
  flushIntervalMs: 50,
  log: { level: 'silent' },
  mqtt: { port: 0, wsPort: 0 },
  stomp: { port: 0, wsPort: 0 },
  http: { port: 0 },
  rocketmq: { port: 0 },
  shutdownTimeoutMs: 5_000,
};

function merge(base: ConfigOverrides, overrides: ConfigOverrides): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] = value !== null && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
      ? { ...current, ...value }
      : value;
  }
  return out;
}

async function start(overrides: ConfigOverrides, options: TestServerOptions, dataDir: string, removeDir: () => void): Promise<TestServer> {
  const data = merge(merge(TEST_BASE, overrides), { dataDir });
  const { config, sources } = resolveConfig({ file: { path: 'startTestServer overrides', data } });
  const lines: string[] = [];
  const server = await startEmbedded(config, { sources, print: (line) => lines.push(line), ...(options.registry ? { registry: options.registry } : {}) });
  const address = (name: string): ListenerAddress => {
    const found = server.addresses.find((a) => a.name === name);
    if (!found) throw new Error(`no listener "${name}"; listening: ${server.addresses.map((a) => a.name).join(', ') || 'none'}`);
    return found;
  };
  return {
    server,
    config,
    addresses: server.addresses,
    dataDir,
    lines,
    address,
    url: (name) => address(name).url,
    port: (name) => address(name).port,
    restart: async (next = overrides) => {
      await server.stop();
      return start(next, options, dataDir, removeDir);
    },
    stop: async () => {
      try {
        await server.stop();
      } finally {
        removeDir();
      }
    },
  };
}

export async function startTestServer(overrides: ConfigOverrides = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const temp = makeTempDir('rocketgate-runtime-');
  try {
    return await start(overrides, options, temp.dir, temp.cleanup);
  } catch (err) {
    temp.cleanup();
    throw err;
  }
}
