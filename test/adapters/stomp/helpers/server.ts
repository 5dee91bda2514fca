/**
 * A real STOMP adapter on port 0 over a fresh embedded kernel, and clients for it:
 * `RawStompClient` (node:net or tls with our codec, for exact frames, split chunks and
 * malformed input) and `stompJsClient` (@stomp/stompjs over the WebSocket listener).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Client, type IFrame, type StompHeaders } from '@stomp/stompjs';
import pino from 'pino';
import { Registry } from 'prom-client';
import { WebSocket, type ClientOptions } from 'ws';
import type { ProtocolAdapter } from '../../../../src/adapters/adapter.js';
import { openAuthenticator, type Authenticator } from '../../../../src/adapters/common/auth.js';
import { createStompAdapter, defaultStompConfig, type StompAdapterConfig } from '../../../../src/adapters/stomp/index.js';
import { StompDecoder } from '../../../../src/adapters/stomp/decoder.js';
import { encodeFrame } from '../../../../src/adapters/stomp/encoder.js';
import { makeFrame, type StompFrame, type StompVersion } from '../../../../src/adapters/stomp/frame.js';
import type { EmbeddedKernelOptions } from '../../../../src/kernel/embedded.js';
import { startTestKernel, type TestKernel } from '../../../helpers/kernel.js';

/** fast timers so group changes and shutdowns take milliseconds */
export const TEST_STOMP_CONFIG: Partial<StompAdapterConfig> = {
  host: '127.0.0.1',
  port: 0,
  wsPort: 0,
  rebalanceIntervalMs: 100,
  pullSuspendMs: 200,
  heartBeatMs: [0, 0],
};

export interface StompServer {
  adapter: ProtocolAdapter;
  kernel: TestKernel;
  port: number;
  wsUrl: string;
  /** stops the adapter, keeps the kernel (for restarts) */
  stopAdapter(): Promise<void>;
  close(): Promise<void>;
}

export async function startStompServer(options: {
  config?: Partial<StompAdapterConfig>;
  auth?: Authenticator;
  kernel?: TestKernel;
  kernelOptions?: Partial<EmbeddedKernelOptions>;
} = {}): Promise<StompServer> {
  const kernel = options.kernel ?? await startTestKernel(options.kernelOptions);
  const adapter = createStompAdapter({
    kernel: kernel.client,
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    auth: options.auth ?? openAuthenticator,
  }, { ...defaultStompConfig, ...TEST_STOMP_CONFIG, ...options.config });
  await adapter.start();
  const tcp = adapter.addresses().find((a) => a.name === 'stomp')!;
  const ws = adapter.addresses().find((a) => a.name === 'stomp-ws');
  let stopped = false;
  const stopAdapter = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await adapter.stop();
  };
  return {
    adapter,
    kernel,
    port: tcp.port,
    wsUrl: ws?.url ?? '',
    stopAdapter,
    close: async () => {
      await stopAdapter();
      await kernel.cleanup();
    },
  };
}

export class RawStompClient {
  readonly frames: StompFrame[] = [];
  private readonly decoder: StompDecoder;
  private ended = false;
  readonly closed: Promise<void>;
  version: StompVersion = '1.2';

  private constructor(readonly socket: Socket) {
    this.decoder = new StompDecoder({ maxFrameBytes: 1 << 30, maxHeaders: 1 << 16, maxHeaderBytes: 1 << 20 }, (f) => {
      if (f.command === 'CONNECTED') {
        this.version = (f.headers.get('version') ?? '1.0') as StompVersion;
        this.decoder.version = this.version;
      }
      this.frames.push(f);
      this.wake();
    });
    socket.on('data', (chunk) => {
      this.decoder.write(chunk);
      // heart-beat EOLs make no frame but may satisfy a waiting predicate
      this.wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', () => {
      this.ended = true;
      this.wake();
      resolve();
    }));
    socket.on('error', () => undefined);
  }

  /** opens a socket; with `headers` (or by default) also CONNECTs and waits for CONNECTED */
  static async open(port: number, options: { headers?: Record<string, string> | null; ca?: Buffer } = {}): Promise<RawStompClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = options.ca
        ? tlsConnect({ port, host: '127.0.0.1', ca: options.ca }, () => resolve(s))
        : netConnect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    const client = new RawStompClient(socket);
    if (options.headers !== null) {
      client.send(makeFrame('CONNECT', { 'accept-version': '1.2', host: 'localhost', ...options.headers }));
      const connected = await client.next();
      if (connected.command !== 'CONNECTED') throw new Error(`CONNECT failed: ${connected.headers.get('message')}`);
    }
    return client;
  }

  send(frame: StompFrame): void {
    this.socket.write(encodeFrame(frame, this.version));
  }

  frame(command: string, headers: Record<string, string | number | undefined> = {}, body: Buffer | string = ''): void {
    this.send(makeFrame(command, headers, body));
  }

  raw(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  private read = 0;

  /** the next frame the server sent (in order) */
  async next(timeoutMs = 5_000): Promise<StompFrame> {
    await this.until(() => this.frames.length > this.read, timeoutMs, 'a frame');
    return this.frames[this.read++]!;
  }

  /** the next `n` frames */
  async take(n: number, timeoutMs = 5_000): Promise<StompFrame[]> {
    const out: StompFrame[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next(timeoutMs));
    return out;
  }

  /** sends `frame` with a receipt header and waits for its RECEIPT (failing on ERROR) */
  async request(command: string, headers: Record<string, string | number | undefined> = {}, body: Buffer | string = ''): Promise<void> {
    const receipt = `r-${Math.random().toString(36).slice(2)}`;
    this.frame(command, { ...headers, receipt }, body);
    const reply = await this.next();
    if (reply.command !== 'RECEIPT' || reply.headers.get('receipt-id') !== receipt) {
      throw new Error(`expected RECEIPT ${receipt}, got ${reply.command} ${reply.headers.get('message') ?? ''} ${reply.body.toString()}`);
    }
  }

  /** true when no further frame arrives within `ms` (use after a RECEIPT proved the server caught up) */
  async quiet(ms: number): Promise<boolean> {
    const before = this.frames.length;
    await new Promise((r) => setTimeout(r, ms));
    return this.frames.length === before;
  }

  get isClosed(): boolean {
    return this.ended;
  }

  async until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.ended && !predicate()) throw new Error(`connection closed while waiting for ${what}; got ${this.frames.map((f) => `${f.command}(${f.headers.get('message') ?? ''})`).join(',')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async disconnect(): Promise<void> {
    if (!this.ended) {
      await this.request('DISCONNECT').catch(() => undefined);
      this.socket.end();
      await this.closed;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    wakeAll();
  }
}

/** waiters of every client: a predicate may look at several clients' frames */
let waiters: Array<() => void> = [];
function wakeAll(): void {
  const all = waiters;
  waiters = [];
  for (const w of all) w();
}

/** @stomp/stompjs over our WebSocket listener, connected */
export async function stompJsClient(url: string, connectHeaders: StompHeaders = {}, wsOptions: ClientOptions = {}): Promise<Client> {
  const client = new Client({
    webSocketFactory: () => new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp'], wsOptions),
    connectHeaders,
    reconnectDelay: 0,
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
  });
  await new Promise<void>((resolve, reject) => {
    client.onConnect = () => resolve();
    client.onStompError = (frame: IFrame) => reject(new Error(frame.headers.message ?? 'STOMP error'));
    client.onWebSocketError = () => reject(new Error('WebSocket error'));
    client.activate();
  });
  return client;
}

/** collects MESSAGE frames of a stompjs subscription */
export function collector<T>(): { items: T[]; push: (item: T) => void; waitFor: (n: number, timeoutMs?: number) => Promise<T[]> } {
  const items: T[] = [];
  let waiters: Array<() => void> = [];
  return {
    items,
    push(item) {
      items.push(item);
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    },
    async waitFor(n, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (items.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out: ${items.length} of ${n} items`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return items.slice(0, n);
    },
  };
}
