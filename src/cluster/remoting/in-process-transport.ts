/**
 * Transport in memory: paired connections inside one process (tests, and a whole
 * cluster in one process). Each side encodes real frames and the other decodes them
 * with the same FrameDecoder as TCP, so limits and formats behave identically; frames
 * are delivered asynchronously and in order, and a close reaches the peer after the
 * frames sent before it.
 *
 * Listeners live in an InProcessNetwork, passed in by whoever wires the cluster (never
 * a module global). Addresses are "<network host>:<port>", default host "in-process".
 */
import { BaseConnection } from './base-connection.js';
import { RemotingError, RemotingErrorCode } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES } from './frame-codec.js';
import type { Connection, ListenOptions, Transport, TransportServer } from './transport.js';
import { parseAddress } from './transport.js';

type Acceptor = (connection: Connection) => void;

export class InProcessNetwork {
  private readonly listeners = new Map<number, { accept: Acceptor; accepted: Set<InProcessConnection> }>();
  private nextPort = 1;
  private nextClientPort = 50_000;

  constructor(readonly host = 'in-process', readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** @internal */
  bind(port: number, accept: Acceptor): number {
    let p = port;
    if (p === 0) {
      while (this.listeners.has(this.nextPort)) this.nextPort++;
      p = this.nextPort++;
    }
    if (this.listeners.has(p)) throw new RemotingError(RemotingErrorCode.ConnectFailed, `address ${this.host}:${p} is in use`);
    this.listeners.set(p, { accept, accepted: new Set() });
    return p;
  }

  /** @internal */
  unbind(port: number): void {
    const entry = this.listeners.get(port);
    this.listeners.delete(port);
    if (entry) for (const c of entry.accepted) c.close();
  }

  /** @internal */
  dial(port: number): InProcessConnection | undefined {
    const entry = this.listeners.get(port);
    if (!entry) return undefined;
    const clientAddress = `${this.host}:${this.nextClientPort++}`;
    const serverAddress = `${this.host}:${port}`;
    const client = new InProcessConnection(serverAddress, clientAddress, this.maxFrameBytes);
    const server = new InProcessConnection(clientAddress, serverAddress, this.maxFrameBytes);
    client.peer = server;
    server.peer = client;
    entry.accepted.add(server);
    server.onClose(() => entry.accepted.delete(server));
    entry.accept(server);
    return client;
  }
}

class InProcessConnection extends BaseConnection {
  peer?: InProcessConnection;

  constructor(remoteAddress: string, localAddress: string, maxFrameBytes: number) {
    super('inproc', remoteAddress, localAddress, maxFrameBytes);
  }

  protected write(frame: Buffer): void {
    const peer = this.peer;
    if (peer) setImmediate(() => peer.deliver(frame));
  }

  protected shutdown(): void {
    const peer = this.peer;
    if (peer) setImmediate(() => peer.close());
  }

  /** @internal */
  deliver(frame: Buffer): void {
    this.receive(frame);
  }
}

export class InProcessTransport implements Transport {
  constructor(readonly network: InProcessNetwork) {}

  async listen(options: ListenOptions, onConnection: (connection: Connection) => void): Promise<TransportServer> {
    const port = this.network.bind(options.port ?? 0, onConnection);
    return {
      address: `${this.network.host}:${port}`,
      port,
      close: async () => this.network.unbind(port),
    };
  }

  async connect(address: string): Promise<Connection> {
    const { host, port } = parseAddress(address);
    await new Promise((r) => setImmediate(r));
    const connection = host === this.network.host ? this.network.dial(port) : undefined;
    if (!connection) throw new RemotingError(RemotingErrorCode.ConnectFailed, `connect to ${address} failed: nothing listens there`);
    return connection;
  }
}
