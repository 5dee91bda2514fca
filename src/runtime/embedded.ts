/**
 * The embedded default: one process with the kernel (broker + store) and every enabled
 * protocol adapter from the registry. Start order: logger, metrics, authenticator,
 * kernel, then adapters in registry order; stop runs the other way (adapters in
 * reverse, then the kernel: flush and clean-shutdown record).
 *
 * Prints one line per listener (`mqtt listening on mqtt://0.0.0.0:1883`), with the
 * real port when 0 was asked, then a `ready` line. Signals are main.ts's business
 * (signals.ts), so tests can run several servers in one process.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Registry } from 'prom-client';
import type { AdapterStats, ListenerAddress, ProtocolAdapter } from '../adapters/adapter.js';
import type { ClusterStatusSource } from '../adapters/cluster-status.js';
import { createUserAuthenticator } from '../adapters/common/user-auth.js';
import {
  adapterRegistry, type AdapterHostHooks, type AdapterRegistration, type AdapterSettings, type TlsMaterial,
} from '../adapters/registry.js';
import { openEmbeddedKernel, type EmbeddedKernel } from '../kernel/embedded.js';
import type { KernelClient } from '../kernel/index.js';
import { publicSources, type ConfigSources } from './config.js';
import type { Config, TlsConfig } from './config-schema.js';
import { componentLogger, createRootLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { VERSION } from './version.js';

export interface RunningServer {
  readonly addresses: readonly ListenerAddress[];
  readonly nodeId: string;
  readonly dataDir: string;
  readonly metrics: Registry;
  /** the in-process kernel client the adapters use (tests and the conformance suite drive the kernel through it) */
  readonly kernel: KernelClient;
  /** stop adapters, then close the kernel; safe to call more than once */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** where each value came from, shown by the admin API */
  sources?: ConfigSources;
  /** default: a root logger at `config.log.level` on stderr */
  logger?: Logger;
  /** one line per listener and a ready line; default stdout */
  print?: (line: string) => void;
  /** default: the adapters of this build (adapters/registry.ts) */
  registry?: readonly AdapterRegistration[];
  /**
   * the kernel the adapters use; default: the embedded one on `config.dataDir`. A gateway
   * node (roles.ts) passes a client of a remote cluster instead.
   */
  kernel?: () => Promise<{ client: KernelClient; close(): Promise<void> }>;
  /** a gateway node's view of its cluster, for the admin API */
  clusterStatus?: ClusterStatusSource;
}

async function readTls(section: string, tls: TlsConfig & { caFile?: string | null }): Promise<TlsMaterial | undefined> {
  if (tls.certFile === null || tls.keyFile === null) return undefined;
  const read = async (key: string, file: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch (err) {
      throw new Error(`${section}.tls.${key}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    cert: await read('certFile', tls.certFile),
    key: await read('keyFile', tls.keyFile),
    ...(tls.caFile == null ? {} : { ca: await read('caFile', tls.caFile) }),
  };
}

/** The adapters' view of the config, with TLS files read. */
export async function adapterSettings(config: Config, nodeId: string): Promise<AdapterSettings> {
  const { mqtt, stomp, http, rocketmq } = config;
  const [mqttTls, stompTls, httpTls, rocketmqTls] = await Promise.all([
    readTls('mqtt', mqtt.tls), readTls('stomp', stomp.tls), readTls('http', http.tls), readTls('rocketmq', rocketmq.tls),
  ]);
  return {
    host: config.host,
    nodeId,
    maxMessageSize: config.maxMessageSize,
    mqtt: {
      enabled: mqtt.enabled, port: mqtt.port, wsPort: mqtt.wsPort, maxPacketSize: mqtt.maxPacketSize,
      sessionMaxMessages: mqtt.sessionMaxMessages, maxInflight: mqtt.maxInflight, ...(mqttTls ? { tls: mqttTls } : {}),
    },
    stomp: {
      enabled: stomp.enabled, port: stomp.port, wsPort: stomp.wsPort, maxFrameBytes: stomp.maxFrameBytes,
      maxHeaders: stomp.maxHeaders, maxHeaderBytes: stomp.maxHeaderBytes, heartBeatMs: stomp.heartBeatMs,
      ...(stomp.maxConnections === null ? {} : { maxConnections: stomp.maxConnections }),
      defaultPrefetch: stomp.defaultPrefetch,
      ...(stompTls ? { tls: stompTls } : {}),
    },
    http: {
      enabled: http.enabled, port: http.port, maxBodyBytes: http.maxBodyBytes,
      idempotencyWindowMs: http.idempotencyWindowMs, ...(httpTls ? { tls: httpTls } : {}),
    },
    rocketmq: {
      enabled: rocketmq.enabled, port: rocketmq.port, autoCreateTopics: config.autoCreateTopics,
      credentials: config.users.filter((u) => u.tokens.length > 0).map((u) => ({ accessKey: u.username, secretKeys: u.tokens })),
      ...(rocketmqTls ? { tls: rocketmqTls } : {}),
    },
  };
}

async function openKernel(config: Config, dataDir: string, logger: Logger): Promise<EmbeddedKernel> {
  return openEmbeddedKernel({
    dataDir,
    flushMode: config.flush,
    flushIntervalMs: config.flushIntervalMs,
    segmentSize: config.segmentSize,
    maxMessageSize: config.maxMessageSize,
    defaultQueueCount: config.defaultQueueCount,
    autoCreateTopics: config.autoCreateTopics,
    fileReservedMs: config.fileReservedHours * 3_600_000,
    maxReconsumeTimes: config.maxReconsumeTimes,
    ...(config.retryBackoffMs ? { retryBackoffMs: config.retryBackoffMs } : {}),
    onError: (err) => logger.error({ err }, 'kernel background error'),
  });
}

interface Slot {
  name: string;
  adapter: ProtocolAdapter;
  started: boolean;
}

export async function startEmbedded(config: Config, options: EmbeddedOptions = {}): Promise<RunningServer> {
  const startedAt = Date.now();
  const root = options.logger ?? createRootLogger({ level: config.log.level });
  const log = componentLogger(root, 'runtime');
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const nodeId = config.nodeId ?? hostname();
  const dataDir = path.resolve(config.dataDir);
  const metrics = createMetrics({ version: VERSION, nodeId });
  const auth = createUserAuthenticator({
    users: config.users, allowAnonymous: config.allowAnonymous, anonymousAcl: config.anonymousAcl,
  });
  const settings = await adapterSettings(config, nodeId);

  const kernel = options.kernel ? await options.kernel() : await openKernel(config, dataDir, componentLogger(root, 'kernel'));
  const slots: Slot[] = [];
  let stopping = false;

  const addresses = (): ListenerAddress[] => slots.filter((s) => s.started).flatMap((s) => s.adapter.addresses());
  const hooks: AdapterHostHooks = {
    readiness() {
      const listeners: Record<string, boolean> = {};
      for (const slot of slots) {
        if (!slot.started) listeners[slot.name] = false;
        else for (const a of slot.adapter.addresses()) listeners[a.name] = !stopping;
      }
      return { ready: !stopping && slots.every((s) => s.started), listeners };
    },
    info: () => ({
      name: 'rocketgate', version: VERSION, nodeId, dataDir, flush: config.flush,
      startedAt: new Date(startedAt).toISOString(), uptimeMs: Date.now() - startedAt,
      listeners: addresses(),
      ...(options.sources ? { config: publicSources(options.sources) } : {}),
    }),
    extraStats() {
      const out: Record<string, Pick<AdapterStats, 'connections' | 'messagesIn' | 'messagesOut'>> = {};
      for (const slot of slots) {
        const { connections, messagesIn, messagesOut } = slot.adapter.stats();
        out[slot.name] = { connections, messagesIn, messagesOut };
      }
      return out;
    },
    adapters: () => slots.filter((s) => s.started).map((s) => s.adapter),
    ...(options.clusterStatus ? { clusterStatus: options.clusterStatus } : {}),
  };

  async function stopAll(): Promise<void> {
    stopping = true;
    for (const slot of [...slots].reverse()) {
      if (!slot.started) continue;
      try {
        await slot.adapter.stop();
      } catch (err) {
        log.error({ err, adapter: slot.name }, 'adapter stop failed');
      }
      slot.started = false;
    }
    await kernel.close();
    log.info('stopped');
  }

  try {
    for (const registration of options.registry ?? adapterRegistry) {
      if (!registration.enabled(settings)) continue;
      const context = { kernel: kernel.client, logger: componentLogger(root, registration.name), metrics, auth };
      const slot: Slot = { name: registration.name, adapter: registration.create(context, settings, hooks), started: false };
      slots.push(slot);
    }
    for (const slot of slots) {
      try {
        await slot.adapter.start();
      } catch (err) {
        throw new Error(`${slot.name}: ${(err as Error).message}`, { cause: err });
      }
      slot.started = true;
    }
  } catch (err) {
    await stopAll().catch((stopErr: unknown) => log.error({ err: stopErr }, 'stop after failed start failed'));
    throw err;
  }

  const listening = addresses();
  for (const a of listening) print(`${a.name} listening on ${a.url}`);
  print(`rocketgate ${VERSION} ready: node ${nodeId}, data dir ${dataDir}, flush ${config.flush}`);
  log.info({ addresses: listening }, 'started');

  let stopped: Promise<void> | undefined;
  return {
    addresses: listening,
    nodeId,
    dataDir,
    metrics,
    kernel: kernel.client,
    stop: () => (stopped ??= stopAll()),
  };
}
