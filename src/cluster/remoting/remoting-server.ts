/**
 * The remoting server (RocketMQ's NettyRemotingServer): accepts connections on a
 * Transport and runs every request through the processor registered for its code
 * (request-dispatcher.ts). Each connection is on its own: its framing errors, its
 * processor failures and its in-flight limit never touch another connection.
 *
 * Services that keep per-connection state (nameserver broker liveness, broker consumer
 * membership) hear of closed connections through `onConnectionClose`. Requests the
 * server sends to a peer (NOTIFY_CONSUMER_IDS_CHANGED ...) are one-way, as in RocketMQ.
 */
import { RPC_ONEWAY_FLAG, isResponse, type RemotingCommand } from './command.js';
import { RequestDispatcher, type DispatcherOptions, type Processor } from './request-dispatcher.js';
import type { Connection, Transport, TransportServer } from './transport.js';

export interface RemotingServerOptions extends DispatcherOptions {
  host?: string;
  port?: number;
  /** most connections at a time, default 10,000; more are closed on arrival */
  maxConnections?: number;
}

export class RemotingServer {
  private readonly dispatcher: RequestDispatcher;
  private readonly connectionSet = new Set<Connection>();
  private readonly openListeners: Array<(connection: Connection) => void> = [];
  private readonly closeListeners: Array<(connection: Connection, reason?: Error) => void> = [];
  private server?: TransportServer;
  private opaque = 0;

  constructor(private readonly transport: Transport, private readonly options: RemotingServerOptions = {}) {
    this.dispatcher = new RequestDispatcher(options);
  }

  register(code: number, processor: Processor): this {
    this.dispatcher.register(code, processor);
    return this;
  }

  onConnectionOpen(listener: (connection: Connection) => void): void {
    this.openListeners.push(listener);
  }

  onConnectionClose(listener: (connection: Connection, reason?: Error) => void): void {
    this.closeListeners.push(listener);
  }

  async start(): Promise<{ address: string; port: number }> {
    if (this.server) return { address: this.server.address, port: this.server.port };
    this.server = await this.transport.listen({ host: this.options.host, port: this.options.port }, (c) => this.accept(c));
    return { address: this.server.address, port: this.server.port };
  }

  get address(): string {
    if (!this.server) throw new Error('the remoting server is not started');
    return this.server.address;
  }

  get connections(): ReadonlySet<Connection> {
    return this.connectionSet;
  }

  /** sends a one-way request to a connected peer; false when it is gone */
  sendOneway(connection: Connection, request: RemotingCommand): boolean {
    this.opaque = (this.opaque + 1) | 0;
    return connection.send({ ...request, opaque: this.opaque, flag: request.flag | RPC_ONEWAY_FLAG });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await server.close();
    for (const c of [...this.connectionSet]) c.close();
  }

  private accept(connection: Connection): void {
    if (this.connectionSet.size >= (this.options.maxConnections ?? 10_000)) {
      connection.close();
      return;
    }
    this.connectionSet.add(connection);
    connection.onCommand((cmd) => {
      // responses to our one-way requests do not exist; a stray response is dropped
      if (!isResponse(cmd)) this.dispatcher.dispatch(connection, cmd);
    });
    connection.onClose((reason) => {
      this.connectionSet.delete(connection);
      for (const listener of this.closeListeners) listener(connection, reason);
    });
    for (const listener of this.openListeners) listener(connection);
  }
}
