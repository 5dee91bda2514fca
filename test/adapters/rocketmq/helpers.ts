/**
 * The RocketMQ adapter on a fast test kernel, on 127.0.0.1 and a free port, for tests with
 * Apache's `rocketmq-client-nodejs` (unmodified) and with a raw gRPC client built from the
 * same .proto files (for input the real client refuses to send).
 *
 * The real client waits forever for the settings handshake and logs to ~/logs by default:
 * `startClient` bounds startup(), every client gets `quietLogger`, and `quietConsumeServices`
 * silences the loggers the PushConsumer creates for itself.
 */
import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import clientLogger from 'rocketmq-client-nodejs/dist/client/Logger.js';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { ProtocolAdapter } from '../../../src/adapters/adapter.js';
import { openAuthenticator, type Authenticator } from '../../../src/adapters/common/auth.js';
import { createRocketMqAdapter, type RocketMqAdapterConfig } from '../../../src/adapters/rocketmq/index.js';
import { messagingService } from '../../../src/adapters/rocketmq/proto.js';
import type { EmbeddedKernelOptions } from '../../../src/kernel/embedded.js';
import { startTestKernel, type TestKernel } from '../../helpers/kernel.js';

export interface RocketMqHarness {
  kernel: TestKernel;
  adapter: ProtocolAdapter;
  /** `127.0.0.1:port`, the client's `endpoints` */
  endpoints: string;
  port: number;
  close(): Promise<void>;
}

export interface HarnessOptions {
  kernel?: Partial<EmbeddedKernelOptions>;
  config?: Partial<RocketMqAdapterConfig>;
  auth?: Authenticator;
}

export async function startRocketMq(options: HarnessOptions = {}): Promise<RocketMqHarness> {
  const kernel = await startTestKernel({ transactionTimeoutMs: 500, transactionCheckIntervalMs: 200, ...options.kernel });
  const adapter = createRocketMqAdapter({
    kernel: kernel.client,
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    auth: options.auth ?? openAuthenticator,
  }, {
    host: '127.0.0.1', port: 0, maxMessageSize: 4 * 1024 * 1024, autoCreateTopics: true, nodeId: 'test',
    consumerLongPollingMs: 1_000, transactionCheckPollMs: 1_000, ...options.config,
  });
  await adapter.start();
  const port = adapter.addresses()[0]!.port;
  return {
    kernel, adapter, port, endpoints: `127.0.0.1:${port}`,
    close: async () => {
      await adapter.stop();
      await kernel.cleanup();
    },
  };
}

/** what the client logs goes nowhere (set ROCKETMQ_TEST_LOG=1 to see it) */
export const quietLogger = {
  info: (...args: unknown[]) => log('info', args),
  warn: (...args: unknown[]) => log('warn', args),
  error: (...args: unknown[]) => log('error', args),
  debug: (...args: unknown[]) => log('debug', args),
};

/**
 * The PushConsumer's consume services take no logger: they call the client's
 * getDefaultLogger(), an egg-logger writing ~/logs/rocketmq/... with a flush timer that
 * keeps the process alive. Swapped for `quietLogger` until the returned function restores it.
 */
export function quietConsumeServices(): () => void {
  const module = clientLogger as unknown as { getDefaultLogger: () => unknown };
  const original = module.getDefaultLogger;
  module.getDefaultLogger = () => quietLogger;
  return () => {
    module.getDefaultLogger = original;
  };
}

function log(level: string, args: unknown[]): void {
  if (process.env.ROCKETMQ_TEST_LOG) process.stderr.write(`[rocketmq-client ${level}] ${args.map(String).join(' ')}\n`);
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Startable {
  startup(): Promise<void>;
  shutdown(): Promise<void>;
}

/** startup() of a real client, bounded: it waits forever for the settings handshake */
export async function startClient<C extends Startable>(client: C, ms = 15_000): Promise<C> {
  try {
    await withTimeout(client.startup(), ms, 'client startup()');
  } catch (err) {
    await client.shutdown().catch(() => undefined);
    throw err;
  }
  return client;
}

export async function shutdownAll(clients: Array<Startable | undefined>): Promise<void> {
  await Promise.all(clients.map((c) => (c ? withTimeout(c.shutdown(), 30_000, 'client shutdown()').catch(() => undefined) : undefined)));
}

// ---- a raw client of the same service, for exact requests and responses ----

export interface RawClient {
  unary<Res = any>(rpc: string, request: unknown, metadata?: Record<string, string>): Promise<Res>;
  /** all responses of a server stream */
  stream<Res = any>(rpc: string, request: unknown, metadata?: Record<string, string>): Promise<Res[]>;
  /** the gRPC error of a call that fails at the gRPC level */
  grpcError(rpc: string, request: unknown): Promise<ServiceError>;
  close(): void;
}

export function rawClient(endpoints: string, clientId = 'raw-client'): RawClient {
  const Service = messagingService();
  const client = new Service(endpoints, credentials.createInsecure()) as Client & Record<string, (...args: any[]) => any>;
  const md = (extra: Record<string, string> = {}): Metadata => {
    const m = new Metadata();
    m.set('x-mq-client-id', clientId);
    for (const [k, v] of Object.entries(extra)) m.set(k, v);
    return m;
  };
  const deadline = (): Date => new Date(Date.now() + 10_000);
  return {
    unary: (rpc, request, metadata) => new Promise((resolve, reject) => {
      client[rpc]!(request, md(metadata), { deadline: deadline() }, (err: ServiceError | null, res: any) => (err ? reject(err) : resolve(res)));
    }),
    stream: (rpc, request, metadata) => new Promise((resolve, reject) => {
      const out: any[] = [];
      const call = client[rpc]!(request, md(metadata), { deadline: deadline() });
      call.on('data', (d: any) => out.push(d));
      call.on('error', reject);
      call.on('end', () => resolve(out));
    }),
    grpcError: (rpc, request) => new Promise((resolve, reject) => {
      const method = Service.service[rpc]!;
      if (method.responseStream) {
        const call = client[rpc]!(request, md(), { deadline: deadline() });
        call.on('data', () => undefined);
        call.on('error', resolve);
        call.on('end', () => reject(new Error(`${rpc} succeeded`)));
      } else {
        client[rpc]!(request, md(), { deadline: deadline() }, (err: ServiceError | null) => (err ? resolve(err) : reject(new Error(`${rpc} succeeded`))));
      }
    }),
    close: () => client.close(),
  };
}

/** a message as the raw client sends it (proto-loader object form) */
export function rawMessage(topic: string, body: string | Buffer, system: Record<string, unknown> = {}, userProperties: Record<string, string> = {}): Record<string, unknown> {
  return {
    topic: { name: topic },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    userProperties,
    systemProperties: { messageId: `raw-${Math.random().toString(36).slice(2)}`, messageType: 'NORMAL', bodyEncoding: 'IDENTITY', ...system },
  };
}
