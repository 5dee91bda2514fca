/**
 * The RocketMQ adapter: a gRPC listener (default 8081, plaintext or TLS) speaking RocketMQ
 * 5's `apache.rocketmq.v2.MessagingService`, the protocol of RocketMQ's proxy, so that
 * applications written with Apache's RocketMQ 5 clients (Java, Go, C++, Python, Node.js)
 * publish and consume on the kernel beside MQTT, STOMP and HTTP clients.
 *
 * This node is the clients' only broker (route.ts). Producers send through the kernel
 * producer; push and simple consumers receive by pop (the kernel's SimpleConsumer, one per
 * group); pull consumers read one queue by offset and commit their own progress
 * (rpc/pull-message.ts, rpc/offsets.ts); transactional messages and their check-backs go
 * through the kernel's transaction service (transactions.ts). The protocol's messages are loaded from the .proto files of
 * the npm package `rocketmq-client-nodejs` (proto.ts).
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { Counter, type Registry } from 'prom-client';
import type { SimpleConsumer } from '../../kernel/index.js';
import type { AdapterContext, AdapterFactory, AdapterStats, ListenerAddress, ProtocolAdapter } from '../adapter.js';
import { RocketMqAuth } from './auth.js';
import { ClientRegistry, type ClientSession } from './clients.js';
import { resolveConfig, type ResolvedRocketMqConfig, type RocketMqAdapterConfig } from './config.js';
import { AutoRenewTable } from './deliveries.js';
import { messageToGrpc } from './message-map.js';
import { messagingServiceDefinition, type Endpoints } from './proto.js';
import { messagingHandlers } from './rpc/index.js';
import type { RpcCounters, RpcDeps } from './rpc/context.js';
import { TransactionCheckRelay } from './transactions.js';

export { defaultRocketMqConfig, type RocketMqAdapterConfig, type RocketMqCredential, type RocketMqTlsConfig } from './config.js';

const MAX_CONSUMERS = 10_000;
/** calls still running at stop (long polls) get this long to finish */
const STOP_GRACE_MS = 1_000;
const SWEEP_MS = 10_000;
/** a request may carry a batch of messages: room for one at the limit and its envelope */
const FRAME_OVERHEAD = 1024 * 1024;
/**
 * grpc-js options of the listener besides the message sizes. Channelz (gRPC's
 * introspection service, which this server does not expose) would otherwise count and
 * timestamp every call and message of every session.
 */
export const SERVER_OPTIONS = { 'grpc.enable_channelz': 0 } as const;

function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export const createRocketMqAdapter: AdapterFactory<RocketMqAdapterConfig> = (context, config) => new RocketMqAdapter(context, resolveConfig(config));

class RocketMqAdapter implements ProtocolAdapter {
  readonly name = 'rocketmq';
  private readonly counters: RpcCounters = { messagesIn: 0, messagesOut: 0, errors: 0 };
  private readonly clients: ClientRegistry;
  private readonly consumers = new Map<string, SimpleConsumer>();
  private readonly deps: RpcDeps;
  private server: Server | undefined;
  private listening: ListenerAddress[] = [];
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly context: AdapterContext, private readonly config: ResolvedRocketMqConfig) {
    const logger = context.logger.child({ adapter: 'rocketmq' });
    const errors = metric(context.metrics, 'rocketmq_errors_total', () => new Counter({
      name: 'rocketmq_errors_total', help: 'RocketMQ calls and entries answered with an error status, by code', labelNames: ['code'], registers: [context.metrics],
    }));
    this.clients = new ClientRegistry(config.clientExpiryMs);
    const kernel = context.kernel;
    const clientId = `${config.nodeId}-rocketmq`;
    const consumerOf = (group: string): SimpleConsumer => {
      let c = this.consumers.get(group);
      if (!c) {
        if (this.consumers.size >= MAX_CONSUMERS) this.consumers.delete(this.consumers.keys().next().value!);
        c = kernel.createSimpleConsumer({ group, clientId });
        this.consumers.set(group, c);
      }
      return c;
    };
    const onBackgroundError = (err: unknown): void => logger.debug({ err }, 'RocketMQ background task failed');
    const counters = this.counters;
    this.deps = {
      kernel,
      auth: new RocketMqAuth(context.auth, config.credentials),
      config,
      logger,
      clients: this.clients,
      deliveries: new AutoRenewTable({
        invisibleMs: config.autoRenewInvisibleMs, aheadMs: config.autoRenewAheadMs, maxMs: config.autoRenewMaxMs, consumerOf, onError: onBackgroundError,
      }),
      transactions: new TransactionCheckRelay({
        brokerApi: kernel.brokerApi, clients: this.clients, clientId, pollMs: config.transactionCheckPollMs,
        toGrpc: (check) => messageToGrpc({ ...check.message, msgId: check.transactionId }, { storeHost: kernel.brokerApi.brokerName }),
        onError: (err) => logger.warn({ err }, 'transaction check poll failed'),
      }),
      producer: kernel.createProducer({ group: 'rocketmq-producer', clientId, noAutoCreate: !config.autoCreateTopics }),
      consumerOf,
      counters,
      countError: (code) => {
        counters.errors++;
        errors.inc({ code });
      },
      endpoints: () => this.ownEndpoints(),
      forgetClient: (session) => this.forgetClient(session),
    };
  }

  async start(): Promise<void> {
    if (this.server) return;
    const service = messagingServiceDefinition();
    const server = new Server({
      ...SERVER_OPTIONS,
      'grpc.max_receive_message_length': this.config.maxMessageSize + FRAME_OVERHEAD,
      'grpc.max_send_message_length': -1,
    });
    server.addService(service, messagingHandlers(this.deps, service));
    const credentials = this.config.tls
      ? ServerCredentials.createSsl(null, [{ private_key: Buffer.from(this.config.tls.key), cert_chain: Buffer.from(this.config.tls.cert) }], false)
      : ServerCredentials.createInsecure();
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${this.config.port}`, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
    });
    this.server = server;
    const scheme = this.config.tls ? 'grpcs' : 'grpc';
    this.listening = [{ name: 'rocketmq', host: this.config.host, port, url: `${scheme}://${urlHost(this.config.host)}:${port}` }];
    this.deps.deliveries.start();
    this.sweeper = setInterval(() => {
      for (const session of this.clients.sweep()) void this.forgetClient(session);
    }, SWEEP_MS);
    this.sweeper.unref();
    this.deps.logger.info({ url: this.listening[0]!.url }, 'RocketMQ gRPC listener started');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    if (this.sweeper) clearInterval(this.sweeper);
    this.deps.transactions.close();
    this.deps.deliveries.stop();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, STOP_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    await this.deps.producer.shutdown();
    await Promise.all([...this.consumers.values()].map((c) => c.shutdown()));
    this.consumers.clear();
    this.listening = [];
    this.deps.logger.info('RocketMQ gRPC listener stopped');
  }

  stats(): AdapterStats {
    return {
      connections: this.clients.size,
      messagesIn: this.counters.messagesIn,
      messagesOut: this.counters.messagesOut,
      errors: this.counters.errors,
      autoRenewed: this.deps.deliveries.size,
      transactionChecks: this.deps.transactions.relayed,
    };
  }

  addresses(): ListenerAddress[] {
    return [...this.listening];
  }

  private ownEndpoints(): Endpoints {
    const address = this.listening[0];
    const host = !address || address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
    return { scheme: host.includes(':') ? 'IPv6' : 'IPv4', addresses: [{ host, port: address?.port ?? this.config.port }] };
  }

  private async forgetClient(session: ClientSession): Promise<void> {
    await this.deps.deliveries.releaseClient(session.clientId).catch(() => undefined);
    if (session.group) await this.context.kernel.brokerApi.unregisterClient({ clientId: session.clientId, group: session.group }).catch(() => undefined);
  }
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
