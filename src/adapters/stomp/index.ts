/**
 * The STOMP adapter: a TCP listener (default 61613) and a STOMP-over-WebSocket
 * listener (subprotocols v12.stomp, v11.stomp, v10.stomp), both optionally TLS, one
 * Connection per socket, all over the kernel client API.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Counter, Gauge, type Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import type { AdapterContext, AdapterFactory, AdapterStats, ListenerAddress, ProtocolAdapter } from '../adapter.js';
import type { StompAdapterConfig } from './config.js';
import { Connection, type ConnectionServices, type StompCounters } from './connection.js';
import { stompConnectionDirectory } from './connections.js';
import { encodeFrame } from './encoder.js';
import { errorFrame, StompError, StompErrorCode } from './errors.js';
import { GroupHandoff } from './subscription.js';
import { TransactionalSends } from './transactional-sends.js';
import { tcpTransport, wsTransport, type StompTransport } from './transport.js';

export { defaultStompConfig, type StompAdapterConfig, type StompTlsConfig } from './config.js';

/** STOMP over WebSocket subprotocols, preferred first */
export const WS_SUBPROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'] as const;

function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export const createStompAdapter: AdapterFactory<StompAdapterConfig> = (context, config) => new StompAdapter(context, config);

class StompAdapter implements ProtocolAdapter {
  readonly name = 'stomp';
  private readonly connections = new Set<Connection>();
  readonly clientConnections = stompConnectionDirectory(this.connections);
  private readonly counters: StompCounters = { messagesIn: 0, messagesOut: 0, errors: 0 };
  private readonly services: ConnectionServices;
  private tcpServer: NetServer | undefined;
  private wsHttpServer: HttpServer | undefined;
  private wss: WebSocketServer | undefined;
  private listening: ListenerAddress[] = [];
  private accepting = false;

  constructor(private readonly context: AdapterContext, private readonly config: StompAdapterConfig) {
    const registry = context.metrics;
    const errors = metric(registry, 'stomp_errors_total', () => new Counter({
      name: 'stomp_errors_total', help: 'STOMP ERROR frames sent, by code', labelNames: ['code'], registers: [registry],
    }));
    const connections = this.connections;
    metric(registry, 'stomp_connections', () => new Gauge({
      name: 'stomp_connections', help: 'open STOMP connections', registers: [registry],
      collect() {
        this.set(connections.size);
      },
    }));
    this.services = {
      kernel: context.kernel,
      auth: context.auth,
      logger: context.logger.child({ adapter: 'stomp' }),
      config,
      producer: context.kernel.createProducer({ group: 'stomp-producer' }),
      tempProducer: context.kernel.createProducer({ group: 'stomp-producer', noAutoCreate: true }),
      counters: this.counters,
      handoff: new GroupHandoff(),
      durables: new Set(),
      transactional: new TransactionalSends(context.kernel, { orphanMs: 2 * (config.maxTransactionMs ?? 60_000) }),
      onError: (code) => errors.inc({ code }),
    };
  }

  async start(): Promise<void> {
    const { config } = this;
    this.services.transactional.start();
    this.accepting = true;
    const tcp = config.tls
      ? createTlsServer({ key: config.tls.key, cert: config.tls.cert, ca: config.tls.ca }, (s) => this.accept(tcpTransport(s)))
      : createNetServer((s: Socket) => this.accept(tcpTransport(s)));
    this.tcpServer = tcp;
    const tcpPort = await listen(tcp, config.port, config.host);
    const tcpScheme = config.tls ? 'stomp+ssl' : 'stomp';
    this.listening.push({ name: 'stomp', host: config.host, port: tcpPort, url: `${tcpScheme}://${urlHost(config.host)}:${tcpPort}` });
    if (config.wsPort !== undefined && config.wsPort !== null) {
      const http = config.tls ? createHttpsServer({ key: config.tls.key, cert: config.tls.cert, ca: config.tls.ca }) : createHttpServer();
      http.on('request', (_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end('STOMP over WebSocket: connect with a WebSocket client\n');
      });
      this.wsHttpServer = http;
      this.wss = new WebSocketServer({
        server: http,
        maxPayload: config.maxFrameBytes,
        handleProtocols: (offered) => WS_SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
      });
      this.wss.on('connection', (ws, req) => {
        this.accept(wsTransport(ws, `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`));
      });
      const wsPort = await listen(http, config.wsPort, config.host);
      const wsScheme = config.tls ? 'wss' : 'ws';
      this.listening.push({ name: 'stomp-ws', host: config.host, port: wsPort, url: `${wsScheme}://${urlHost(config.host)}:${wsPort}/` });
    }
  }

  private accept(transport: StompTransport): void {
    const { maxConnections } = this.config;
    if (!this.accepting || (maxConnections !== undefined && this.connections.size >= maxConnections)) {
      // DESIGN.md §6: an explicit limit, answered natively
      const err = this.accepting
        ? new StompError(StompErrorCode.TooManyConnections, 'too many connections', `this server accepts ${maxConnections} connections`)
        : new StompError(StompErrorCode.Unavailable, 'server is shutting down');
      this.services.onError(err.code);
      transport.bind({ data: () => undefined, drain: () => undefined, close: () => undefined });
      transport.write(encodeFrame(errorFrame(err)));
      transport.end();
      setTimeout(() => transport.destroy(), 2_000).unref();
      return;
    }
    const connection = new Connection(transport, this.services);
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
  }

  async stop(): Promise<void> {
    this.accepting = false;
    const closing = [...this.connections].map((c) => c.close());
    this.wss?.close();
    await Promise.all([
      this.tcpServer && closeServer(this.tcpServer),
      this.wsHttpServer && closeServer(this.wsHttpServer),
      ...closing,
    ]);
    this.listening = [];
    await Promise.all([this.services.producer.shutdown(), this.services.tempProducer.shutdown(), this.services.transactional.shutdown()]);
  }

  stats(): AdapterStats {
    let subscriptions = 0;
    for (const c of this.connections) subscriptions += c.session?.subscriptionCount ?? 0;
    return {
      connections: this.connections.size,
      messagesIn: this.counters.messagesIn,
      messagesOut: this.counters.messagesOut,
      errors: this.counters.errors,
      subscriptions,
    };
  }

  addresses(): ListenerAddress[] {
    return [...this.listening];
  }
}

function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as HttpServer).closeAllConnections?.();
  });
}

function urlHost(host: string): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return shown.includes(':') ? `[${shown}]` : shown;
}
