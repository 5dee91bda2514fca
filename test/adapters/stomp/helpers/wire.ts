/**
 * In-memory STOMP transport (aedes' setup()): drives a Connection frame by frame and
 * collects exactly what the server wrote, decoded, plus the heart-beat EOLs.
 */
import pino from 'pino';
import { openAuthenticator, type Authenticator } from '../../../../src/adapters/common/auth.js';
import { defaultStompConfig, type StompAdapterConfig } from '../../../../src/adapters/stomp/config.js';
import { Connection, type ConnectionServices } from '../../../../src/adapters/stomp/connection.js';
import { StompDecoder } from '../../../../src/adapters/stomp/decoder.js';
import { encodeFrame } from '../../../../src/adapters/stomp/encoder.js';
import type { StompFrame, StompVersion } from '../../../../src/adapters/stomp/frame.js';
import { TransactionalSends } from '../../../../src/adapters/stomp/transactional-sends.js';
import { GroupHandoff } from '../../../../src/adapters/stomp/subscription.js';
import type { StompTransport, TransportEvents } from '../../../../src/adapters/stomp/transport.js';
import type { KernelClient } from '../../../../src/kernel/index.js';

export class MemoryTransport implements StompTransport {
  readonly kind = 'tcp';
  readonly remoteAddress = 'memory:0';
  events: TransportEvents | undefined;
  readonly frames: StompFrame[] = [];
  heartbeats = 0;
  ended = false;
  destroyed = false;
  private readonly decoder = new StompDecoder({ maxFrameBytes: 1 << 30, maxHeaders: 1 << 20, maxHeaderBytes: 1 << 20 }, (f) => {
    if (f.command === 'CONNECTED') this.decoder.version = (f.headers.get('version') ?? '1.0') as StompVersion;
    this.frames.push(f);
    this.wake();
  });
  private waiters: Array<() => void> = [];

  bind(events: TransportEvents): void {
    this.events = events;
  }

  write(data: Buffer): boolean {
    if (this.destroyed) return false;
    if (data.length === 1 && data[0] === 0x0a) this.heartbeats++;
    this.decoder.write(data);
    this.wake();
    return true;
  }

  pause(): void {}
  resume(): void {}

  end(): void {
    this.ended = true;
    this.wake();
    queueMicrotask(() => this.destroy());
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.wake();
    this.events?.close();
  }

  /** the client sends raw bytes */
  send(data: string | Buffer): void {
    this.events!.data(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  sendFrame(frame: StompFrame, version: StompVersion = '1.2'): void {
    this.send(encodeFrame(frame, version));
  }

  /** resolves with the n-th frame the server wrote (0-based), waiting for it */
  async frame(n: number, timeoutMs = 5_000): Promise<StompFrame> {
    await this.until(() => this.frames.length > n, timeoutMs, `server frame #${n}`);
    return this.frames[n]!;
  }

  async until(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; server wrote ${this.frames.map((f) => f.command).join(',')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** a KernelClient for connection-level tests that must not reach the kernel */
export const untouchableKernel: KernelClient = new Proxy({} as KernelClient, {
  get(_target, property) {
    if (property === 'then') return undefined;
    throw new Error(`the kernel was used: ${String(property)}`);
  },
});

export function connectionServices(options: { kernel?: KernelClient; auth?: Authenticator; config?: Partial<StompAdapterConfig> } = {}): ConnectionServices {
  const kernel = options.kernel ?? untouchableKernel;
  const lazyProducer = options.kernel ? kernel.createProducer() : (undefined as never);
  return {
    kernel,
    auth: options.auth ?? openAuthenticator,
    logger: pino({ level: 'silent' }),
    config: { ...defaultStompConfig, port: 0, wsPort: null, ...options.config },
    producer: lazyProducer,
    tempProducer: options.kernel ? kernel.createProducer({ noAutoCreate: true }) : (undefined as never),
    counters: { messagesIn: 0, messagesOut: 0, errors: 0 },
    handoff: new GroupHandoff(),
    durables: new Set(),
    // never started: transactions without SENDs need no kernel
    transactional: new TransactionalSends(kernel, { orphanMs: 120_000 }),
    onError: () => undefined,
  };
}

export function openWire(options: Parameters<typeof connectionServices>[0] = {}): { wire: MemoryTransport; connection: Connection } {
  const wire = new MemoryTransport();
  const connection = new Connection(wire, connectionServices(options));
  return { wire, connection };
}
