/**
 * The remoting client (RocketMQ's NettyRemotingClient): one pooled connection per
 * "host:port", opened on first use and again after it closes (reconnect on demand);
 * requests carry a fresh opaque, kept in a pending table until their response arrives,
 * their timeout passes, or their connection closes.
 *
 * `invoke` is RocketMQ's invokeSync (the timeout covers connecting too), `invokeOneway`
 * sets the one-way flag and resolves once the frame is handed to the connection.
 * Requests a server sends to the client (NOTIFY_CONSUMER_IDS_CHANGED ...) run through
 * processors registered with `register`, as on the server.
 */
import {
  RPC_ONEWAY_FLAG, SerializeType, isResponse, type LanguageName, type RemotingCommand,
} from './command.js';
import { RemotingError, RemotingErrorCode } from './errors.js';
import { RequestDispatcher, type DispatcherOptions, type Processor } from './request-dispatcher.js';
import { requestCodeName } from './request-codes.js';
import type { Connection, Transport } from './transport.js';

export interface RemotingClientOptions extends DispatcherOptions {
  /** default timeout of `invoke`, 3 s as RocketMQ's clients */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** header serialization of our requests, JSON by default */
  serializeType?: SerializeType;
  language?: LanguageName;
  version?: number;
}

interface Pending {
  resolve: (response: RemotingCommand) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  connection: Connection;
}

const MAX_OPAQUE = 0x7fffffff;

export class RemotingClient {
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly pending = new Map<number, Pending>();
  private readonly dispatcher: RequestDispatcher;
  private opaque = 0;
  private closed = false;

  constructor(private readonly transport: Transport, private readonly options: RemotingClientOptions = {}) {
    this.dispatcher = new RequestDispatcher(options);
  }

  register(code: number, processor: Processor): this {
    this.dispatcher.register(code, processor);
    return this;
  }

  /** sends `request` to `address` and resolves with its response (any response code) */
  async invoke(address: string, request: RemotingCommand, timeoutMs = this.options.requestTimeoutMs ?? 3_000): Promise<RemotingCommand> {
    const deadline = Date.now() + timeoutMs;
    const connection = await this.connection(address, timeoutMs);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new RemotingError(RemotingErrorCode.Timeout, `${requestCodeName(request.code)} to ${address} timed out while connecting (${timeoutMs} ms)`);
    const opaque = this.nextOpaque();
    const cmd = this.outgoing(request, opaque, request.flag & ~RPC_ONEWAY_FLAG);
    return new Promise<RemotingCommand>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(opaque);
        reject(new RemotingError(RemotingErrorCode.Timeout, `${requestCodeName(request.code)} to ${address} got no response within ${timeoutMs} ms`));
      }, remaining);
      this.pending.set(opaque, { resolve, reject, timer, connection });
      let sent: boolean;
      try {
        sent = connection.send(cmd);
      } catch (err) {
        this.settleFailed(opaque, err as Error);
        return;
      }
      if (!sent) this.settleFailed(opaque, new RemotingError(RemotingErrorCode.ConnectionClosed, `connection to ${address} closed before ${requestCodeName(request.code)} was sent`));
    });
  }

  /** sends `request` without waiting for (or getting) a response */
  async invokeOneway(address: string, request: RemotingCommand, timeoutMs = this.options.requestTimeoutMs ?? 3_000): Promise<void> {
    const connection = await this.connection(address, timeoutMs);
    if (!connection.send(this.outgoing(request, this.nextOpaque(), request.flag | RPC_ONEWAY_FLAG))) {
      throw new RemotingError(RemotingErrorCode.ConnectionClosed, `connection to ${address} closed before ${requestCodeName(request.code)} was sent`);
    }
  }

  /** the pooled connection to `address`, opened when there is none */
  connection(address: string, timeoutMs = this.options.connectTimeoutMs ?? 3_000): Promise<Connection> {
    if (this.closed) return Promise.reject(new RemotingError(RemotingErrorCode.Closed, 'the remoting client is closed'));
    const existing = this.connections.get(address);
    if (existing) return existing;
    const opening = this.open(address, Math.min(timeoutMs, this.options.connectTimeoutMs ?? timeoutMs));
    this.connections.set(address, opening);
    opening.catch(() => {
      if (this.connections.get(address) === opening) this.connections.delete(address);
    });
    return opening;
  }

  /** closes the pooled connection to `address`; its pending requests fail */
  async closeConnection(address: string): Promise<void> {
    const entry = this.connections.get(address);
    this.connections.delete(address);
    const connection = await entry?.catch(() => undefined);
    connection?.close();
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    for (const entry of all) (await entry.catch(() => undefined))?.close();
    for (const opaque of [...this.pending.keys()]) this.settleFailed(opaque, new RemotingError(RemotingErrorCode.Closed, 'the remoting client is closed'));
  }

  private async open(address: string, timeoutMs: number): Promise<Connection> {
    const connection = await this.transport.connect(address, { timeoutMs });
    if (this.closed) {
      connection.close();
      throw new RemotingError(RemotingErrorCode.Closed, 'the remoting client is closed');
    }
    const entry = this.connections.get(address);
    connection.onCommand((cmd) => {
      if (isResponse(cmd)) this.settle(cmd, connection);
      else this.dispatcher.dispatch(connection, cmd);
    });
    connection.onClose((reason) => {
      if (this.connections.get(address) === entry) this.connections.delete(address);
      const why = reason ? `: ${reason.message}` : '';
      for (const [opaque, p] of [...this.pending]) {
        if (p.connection === connection) this.settleFailed(opaque, new RemotingError(RemotingErrorCode.ConnectionClosed, `connection to ${address} closed${why}`, { cause: reason }));
      }
    });
    return connection;
  }

  private settle(response: RemotingCommand, connection: Connection): void {
    const p = this.pending.get(response.opaque);
    // a late response (after its timeout) or one from another connection is dropped
    if (!p || p.connection !== connection) return;
    this.pending.delete(response.opaque);
    clearTimeout(p.timer);
    p.resolve(response);
  }

  private settleFailed(opaque: number, err: Error): void {
    const p = this.pending.get(opaque);
    if (!p) return;
    this.pending.delete(opaque);
    clearTimeout(p.timer);
    p.reject(err);
  }

  private nextOpaque(): number {
    this.opaque = this.opaque >= MAX_OPAQUE ? 1 : this.opaque + 1;
    return this.opaque;
  }

  private outgoing(request: RemotingCommand, opaque: number, flag: number): RemotingCommand {
    return {
      ...request,
      opaque,
      flag,
      language: this.options.language ?? request.language,
      version: this.options.version ?? request.version,
      serializeType: this.options.serializeType ?? request.serializeType,
    };
  }
}
