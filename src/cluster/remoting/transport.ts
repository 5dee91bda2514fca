/**
 * The transport seam (nats.js' Transport): how remoting commands reach a peer. The
 * remoting server and client speak only to these interfaces; tcp-transport.ts
 * (node:net) and in-process-transport.ts (paired in memory, same frame bytes) implement
 * them, and one contract suite (test/cluster/transport.contract.ts) covers both.
 *
 * Addresses are RocketMQ's "host:port" strings, which is what nameservers hand out.
 */
import type { RemotingCommand } from './command.js';

export interface Connection {
  /** unique among the connections of this process */
  readonly id: string;
  /** the peer's "host:port" */
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly closed: boolean;
  /** queues the command's frame; false when the connection is already closed */
  send(cmd: RemotingCommand): boolean;
  /** closes at once; `reason` reaches the close listeners */
  close(reason?: Error): void;
  /** every decoded command, in arrival order */
  onCommand(listener: (cmd: RemotingCommand) => void): void;
  /** once, after close by either side or after a framing error (then with the error) */
  onClose(listener: (reason?: Error) => void): void;
}

export interface ListenOptions {
  host?: string;
  /** 0 (default) picks a free port */
  port?: number;
}

export interface TransportServer {
  /** "host:port" the server is reachable at */
  readonly address: string;
  readonly port: number;
  /** stops accepting and closes every accepted connection */
  close(): Promise<void>;
}

export interface ConnectOptions {
  timeoutMs?: number;
}

export interface Transport {
  listen(options: ListenOptions, onConnection: (connection: Connection) => void): Promise<TransportServer>;
  connect(address: string, options?: ConnectOptions): Promise<Connection>;
}

/** "host:port" → parts; IPv6 hosts may be bracketed: "[::1]:9876" */
export function parseAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad address ${JSON.stringify(address)}: expected host:port`);
  let host = address.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port };
}
