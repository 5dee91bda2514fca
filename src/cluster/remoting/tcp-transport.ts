/**
 * Transport over TCP (node:net): one socket per connection, Nagle off (RocketMQ sets
 * TCP_NODELAY), frames as frame-codec.ts writes them. A peer that stops reading is cut
 * off once `maxWriteBufferBytes` pile up for it, so it cannot exhaust the server.
 */
import net from 'node:net';
import { BaseConnection } from './base-connection.js';
import { RemotingError, RemotingErrorCode } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES } from './frame-codec.js';
import type { ConnectOptions, Connection, ListenOptions, Transport, TransportServer } from './transport.js';
import { parseAddress } from './transport.js';

export interface TcpTransportOptions {
  maxFrameBytes?: number;
  /** bytes queued for a slow reader before its connection is closed, default 64 MiB */
  maxWriteBufferBytes?: number;
  /** default connect timeout, 3 s (RocketMQ's connectTimeoutMillis) */
  connectTimeoutMs?: number;
}

const CLOSE_GRACE_MS = 1_000;

function formatAddress(host: string | undefined, port: number | undefined): string {
  const h = host ?? 'unknown';
  return `${h.includes(':') ? `[${h}]` : h}:${port ?? 0}`;
}

class TcpConnection extends BaseConnection {
  constructor(private readonly socket: net.Socket, maxFrameBytes: number, private readonly maxWriteBufferBytes: number) {
    super('tcp', formatAddress(socket.remoteAddress, socket.remotePort), formatAddress(socket.localAddress, socket.localPort), maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.close(err));
    socket.on('close', () => this.close());
  }

  protected write(frame: Buffer): void {
    this.socket.write(frame);
    if (this.socket.writableLength > this.maxWriteBufferBytes) {
      this.close(new RemotingError(RemotingErrorCode.ConnectionClosed, `peer ${this.remoteAddress} is not reading: ${this.socket.writableLength} bytes queued`));
    }
  }

  protected shutdown(): void {
    if (this.socket.destroyed) return;
    // what was written goes out first, then FIN; a peer that never closes its side is cut
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }
}

export class TcpTransport implements Transport {
  private readonly maxFrameBytes: number;
  private readonly maxWriteBufferBytes: number;
  private readonly connectTimeoutMs: number;

  constructor(options: TcpTransportOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxWriteBufferBytes = options.maxWriteBufferBytes ?? 64 * 1024 * 1024;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
  }

  listen(options: ListenOptions, onConnection: (connection: Connection) => void): Promise<TransportServer> {
    const accepted = new Set<TcpConnection>();
    const server = net.createServer((socket) => {
      const connection = new TcpConnection(socket, this.maxFrameBytes, this.maxWriteBufferBytes);
      accepted.add(connection);
      connection.onClose(() => accepted.delete(connection));
      onConnection(connection);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        const addr = server.address() as net.AddressInfo;
        const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
        resolve({
          address: formatAddress(host, addr.port),
          port: addr.port,
          close: () => new Promise<void>((done) => {
            for (const c of accepted) c.close();
            server.close(() => done());
          }),
        });
      });
    });
  }

  connect(address: string, options: ConnectOptions = {}): Promise<Connection> {
    const { host, port } = parseAddress(address);
    const timeoutMs = options.timeoutMs ?? this.connectTimeoutMs;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RemotingError(RemotingErrorCode.ConnectFailed, `connect to ${address} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new RemotingError(RemotingErrorCode.ConnectFailed, `connect to ${address} failed: ${err.message}`, { cause: err }));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new TcpConnection(socket, this.maxFrameBytes, this.maxWriteBufferBytes));
      });
    });
  }
}
