/**
 * One STOMP connection: bytes in through the decoder, frames handled one at a time
 * in arrival order (commands/index.ts), frames out through the encoder with the
 * negotiated version's escaping; heart-beats both ways (STOMP 1.2 §Heart-beating);
 * an ERROR frame and a close for any failure (STOMP 1.2 §ERROR).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KernelClient, Producer } from '../../kernel/index.js';
import type { Authenticator, Principal } from '../common/auth.js';
import { dispatch } from './commands/index.js';
import { handleSendRun } from './commands/send.js';
import { negotiateVersion } from './commands/connect.js';
import type { StompAdapterConfig } from './config.js';
import { StompDecoder } from './decoder.js';
import { encodeFrame, HEARTBEAT } from './encoder.js';
import { errorFrame, StompError, StompErrorCode, toStompError } from './errors.js';
import type { StompFrame, StompVersion } from './frame.js';
import { Session } from './session.js';
import type { GroupHandoff } from './subscription.js';
import type { TransactionalSends } from './transactional-sends.js';
import type { StompTransport } from './transport.js';

export interface StompCounters {
  messagesIn: number;
  messagesOut: number;
  errors: number;
}

/** What every connection of one adapter shares. */
export interface ConnectionServices {
  kernel: KernelClient;
  auth: Authenticator;
  logger: Logger;
  config: StompAdapterConfig;
  producer: Producer;
  tempProducer: Producer;
  counters: StompCounters;
  handoff: GroupHandoff;
  /** groups of open durable subscriptions (session.ts claimDurable) */
  durables: Set<string>;
  transactional: TransactionalSends;
  onError(code: StompErrorCode): void;
}

/** frames queued before the socket is paused */
const MAX_QUEUED_FRAMES = 256;
/** SENDs handled together at most (commands/send.ts handleSendRun) */
const MAX_SEND_RUN = 256;
/** a closing connection that does not finish flushing is destroyed after this */
const CLOSE_GRACE_MS = 2_000;
/** STOMP 1.2 §Heart-beating: a peer is dead after this many missed intervals */
const HEARTBEAT_TOLERANCE = 2;

export class Connection {
  /** unique per connection across gateway nodes: scopes temp queues and topic groups */
  readonly token = randomBytes(6).toString('hex');
  version: StompVersion = '1.2';
  session: Session | undefined;
  principal: Principal | undefined;
  /** for the admin API (connections.ts): when the socket was accepted, SEND and MESSAGE frames, negotiated heart-beat */
  readonly openedAt = Date.now();
  messagesIn = 0;
  messagesOut = 0;
  heartBeat: [number, number] = [0, 0];
  private readonly decoder: StompDecoder;
  private readonly queue: Array<StompFrame | StompError> = [];
  private processing = false;
  private paused = false;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private lastRead = Date.now();
  private lastWrite = Date.now();
  private timers: NodeJS.Timeout[] = [];
  private drainWaiters: Array<(written: boolean) => void> = [];
  private finished: Promise<void> | undefined;
  private resolveClosed!: () => void;
  /** resolves when the connection is closed and its session released */
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(readonly transport: StompTransport, readonly services: ConnectionServices) {
    const { maxFrameBytes, maxHeaders, maxHeaderBytes } = services.config;
    this.decoder = new StompDecoder({ maxFrameBytes, maxHeaders, maxHeaderBytes }, (frame) => this.onFrame(frame));
    transport.bind({
      data: (chunk) => this.onData(chunk),
      drain: () => this.onDrain(),
      close: () => void this.finish(),
    });
    // a socket that never sends CONNECT does not hold a connection slot forever
    const connectTimeoutMs = services.config.connectTimeoutMs ?? 10_000;
    if (connectTimeoutMs > 0) {
      const timer = setTimeout(() => {
        if (!this.isConnected) {
          this.fail(new StompError(StompErrorCode.ConnectTimeout, 'no CONNECT in time', `CONNECT is expected within ${connectTimeoutMs} ms`));
        }
      }, connectTimeoutMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  get isConnected(): boolean {
    return this.session !== undefined;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  // ---- input ----

  private onData(chunk: Buffer): void {
    this.lastRead = Date.now();
    if (this.state !== 'open') return;
    try {
      this.decoder.write(chunk);
    } catch (err) {
      this.enqueue(toStompError(err));
    }
  }

  private onFrame(frame: StompFrame): void {
    // escaping of the frames after CONNECT follows the version it negotiates (STOMP 1.2 §Value Encoding)
    if (!this.isConnected && (frame.command === 'CONNECT' || frame.command === 'STOMP')) {
      try {
        this.decoder.version = negotiateVersion(frame.headers.get('accept-version'));
      } catch {
        // the CONNECT handler reports it
      }
    }
    this.enqueue(frame);
  }

  private enqueue(item: StompFrame | StompError): void {
    this.queue.push(item);
    if (!this.paused && this.queue.length >= MAX_QUEUED_FRAMES) {
      this.paused = true;
      this.transport.pause();
    }
    void this.run();
  }

  /** handles queued frames one at a time, in arrival order */
  private async run(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0 && this.state === 'open') {
        const item = this.queue.shift()!;
        if (item instanceof StompError) {
          this.fail(item);
          break;
        }
        try {
          if (this.isSendRunStart(item)) await handleSendRun(this, this.takeSendRun(item));
          else await dispatch(this, item);
        } catch (err) {
          const error = toStompError(err);
          this.fail(error, error.offending ?? item);
        }
        if (this.paused && this.queue.length < MAX_QUEUED_FRAMES / 4) {
          this.paused = false;
          this.transport.resume();
        }
      }
    } finally {
      this.processing = false;
    }
  }

  private isSendRunStart(frame: StompFrame): boolean {
    return frame.command === 'SEND' && this.isConnected && !frame.headers.has('transaction');
  }

  /** `first` and the SENDs (outside transactions) queued right behind it */
  private takeSendRun(first: StompFrame): StompFrame[] {
    const run = [first];
    while (run.length < MAX_SEND_RUN) {
      const next = this.queue[0];
      if (next === undefined || next instanceof StompError || !this.isSendRunStart(next)) break;
      run.push(this.queue.shift() as StompFrame);
    }
    return run;
  }

  // ---- output ----

  write(frame: StompFrame): boolean {
    if (this.state === 'closed') return false;
    this.lastWrite = Date.now();
    return this.transport.write(encodeFrame(frame, this.version));
  }

  /** writes a MESSAGE; resolves once the transport took it (false when the connection is gone) */
  deliver(frame: StompFrame): Promise<boolean> {
    if (this.state !== 'open') return Promise.resolve(false);
    this.services.counters.messagesOut++;
    this.messagesOut++;
    if (this.write(frame)) return Promise.resolve(true);
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private onDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w(true);
  }

  // ---- CONNECT ----

  /** called by the CONNECT handler once the client is authenticated */
  establish(params: { version: StompVersion; principal: Principal | undefined; clientId: string | undefined; heartBeat: [number, number] }): void {
    const { services } = this;
    this.version = params.version;
    this.decoder.version = params.version;
    this.principal = params.principal;
    this.heartBeat = params.heartBeat;
    this.session = new Session({
      kernel: services.kernel,
      producer: services.producer,
      tempProducer: services.tempProducer,
      auth: services.auth,
      principal: params.principal,
      version: params.version,
      token: this.token,
      clientId: params.clientId,
      defaultPrefetch: services.config.defaultPrefetch ?? 100,
      rebalanceIntervalMs: services.config.rebalanceIntervalMs ?? 2_000,
      pullSuspendMs: services.config.pullSuspendMs ?? 5_000,
      handoff: services.handoff,
      durables: services.durables,
      transactional: services.transactional,
      maxTransactionMs: services.config.maxTransactionMs ?? 60_000,
      createTopicsOnSubscribe: services.config.createTopicsOnSubscribe ?? true,
      deliver: (frame) => this.deliver(frame),
      onDropped: (reason) => services.logger.debug({ connection: this.token, reason }, 'stomp message dropped'),
    });
    this.startHeartbeats(...params.heartBeat);
  }

  /** STOMP 1.2 §Heart-beating: EOLs when idle; a client silent for too long is dropped */
  private startHeartbeats(sendEveryMs: number, expectEveryMs: number): void {
    if (sendEveryMs > 0) {
      this.timers.push(setInterval(() => {
        if (this.state === 'open' && Date.now() - this.lastWrite >= sendEveryMs / 2) {
          this.lastWrite = Date.now();
          this.transport.write(HEARTBEAT);
        }
      }, Math.max(1, Math.floor(sendEveryMs / 2))));
    }
    if (expectEveryMs > 0) {
      const limit = expectEveryMs * HEARTBEAT_TOLERANCE;
      this.timers.push(setInterval(() => {
        const silent = Date.now() - this.lastRead;
        if (silent > limit) {
          this.fail(new StompError(StompErrorCode.HeartBeatTimeout, 'heart-beat timeout',
            `nothing received for ${silent} ms; the negotiated heart-beat is ${expectEveryMs} ms`));
        }
      }, Math.max(1, Math.floor(expectEveryMs / 2))));
    }
    for (const t of this.timers) t.unref();
  }

  // ---- close ----

  /** STOMP 1.2 §ERROR: an ERROR frame, then the connection closes */
  fail(err: StompError, offending?: StompFrame): void {
    this.services.counters.errors++;
    this.services.onError(err.code);
    if (this.state !== 'open') return;
    this.services.logger.debug({ connection: this.token, code: err.code, err: err.message }, 'stomp error');
    this.write(errorFrame(err, offending));
    this.closeAfterFlush();
  }

  /** stops reading, flushes what was written, then closes */
  closeAfterFlush(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.queue.length = 0;
    this.transport.end();
    setTimeout(() => this.transport.destroy(), CLOSE_GRACE_MS).unref();
    void this.finish();
  }

  /** closes now (server shutdown) and waits for the session to be released */
  async close(): Promise<void> {
    this.closeAfterFlush();
    await this.closed;
  }

  private finish(): Promise<void> {
    this.finished ??= (async () => {
      if (this.state === 'open') this.state = 'closing';
      for (const t of this.timers) clearInterval(t);
      this.timers = [];
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w(false);
      try {
        await this.session?.close();
      } catch (err) {
        this.services.logger.warn({ connection: this.token, err }, 'stomp session cleanup failed');
      }
      this.state = 'closed';
      this.resolveClosed();
    })();
    return this.finished;
  }
}
