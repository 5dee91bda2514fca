/**
 * The slave side of replication (RocketMQ's HAClient): connects to the master's HA
 * address, reports its commit log max offset (ha-protocol.ts), appends every transfer at
 * exactly its end with `store.appendRaw` (which checks each record and dispatches it to
 * the local consume queues and index, so the slave serves reads), and reports again. A
 * header whose offset is not the slave's end, a broken connection or a master silent
 * past `housekeepingMs` drops the connection; it is opened again after `reconnectMs`.
 * The master's address can change at any time (it comes with each nameserver
 * registration answer).
 */
import net from 'node:net';
import type { MessageStore } from '../../kernel/store/message-store.js';
import { parseAddress } from '../remoting/transport.js';
import { DEFAULT_HA_HEARTBEAT_MS, DEFAULT_HA_HOUSEKEEPING_MS, HA_HEADER_BYTES, encodeReport, readOffset } from './ha-protocol.js';

export interface HaSlaveOptions {
  store: MessageStore;
  /** the master's HA "host:port", if known at start */
  masterHaAddress?: string;
  heartbeatMs?: number;
  housekeepingMs?: number;
  reconnectMs?: number;
  onError?: (err: Error) => void;
  /** after every successful append, with the new end */
  onAppended?: (end: number) => void;
  /** controller mode: names this slave to the master first (a report of -(brokerId + 1)) */
  brokerId?: number;
  /** each time a connection to the master is up */
  onConnected?: () => void;
}

export class HaSlave {
  private master: string | undefined;
  private socket: net.Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private appending: Promise<void> = Promise.resolve();
  private lastHeard = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** bytes appended since start */
  appendedBytes = 0;

  constructor(private readonly o: HaSlaveOptions) {
    this.master = o.masterHaAddress;
    this.timer = setInterval(() => this.tick(), Math.min(o.heartbeatMs ?? DEFAULT_HA_HEARTBEAT_MS, o.reconnectMs ?? 1_000));
    this.timer.unref();
    this.tick();
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && this.socket.readyState === 'open';
  }

  get masterHaAddress(): string | undefined {
    return this.master;
  }

  /** the master moved (or is known now): reconnect there */
  setMaster(haAddress: string | undefined): void {
    if (haAddress === this.master) return;
    this.master = haAddress;
    this.drop();
    this.tick();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.drop();
    await this.appending.catch(() => undefined);
  }

  private lastConnectAttempt = 0;
  private lastReport = 0;

  private tick(): void {
    if (this.closed) return;
    const now = Date.now();
    if (!this.socket) {
      if (this.master && now - this.lastConnectAttempt >= (this.o.reconnectMs ?? 1_000)) this.connect(this.master);
      return;
    }
    if (!this.connected) return;
    if (now - this.lastHeard > (this.o.housekeepingMs ?? DEFAULT_HA_HOUSEKEEPING_MS)) {
      this.fail(new Error(`master ${this.master} silent for ${now - this.lastHeard} ms`));
      return;
    }
    if (now - this.lastReport >= (this.o.heartbeatMs ?? DEFAULT_HA_HEARTBEAT_MS)) this.report();
  }

  private connect(address: string): void {
    this.lastConnectAttempt = Date.now();
    let host: string;
    let port: number;
    try {
      ({ host, port } = parseAddress(address));
    } catch (err) {
      this.o.onError?.(err as Error);
      return;
    }
    const socket = net.connect({ host, port });
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.lastHeard = Date.now();
      if (this.o.brokerId !== undefined) socket.write(encodeReport(-(this.o.brokerId + 1)));
      this.report();
      this.o.onConnected?.();
    });
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (err) => this.fail(err, socket));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
    });
  }

  private report(): void {
    this.lastReport = Date.now();
    this.socket?.write(encodeReport(this.o.store.commitLogMaxOffset));
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    this.lastHeard = Date.now();
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= HA_HEADER_BYTES) {
      const offset = readOffset(this.buffer, 0);
      const size = this.buffer.readInt32BE(8);
      if (size < 0) return this.fail(new Error(`master sent a transfer of ${size} bytes`), socket);
      if (this.buffer.length < HA_HEADER_BYTES + size) break;
      const body = Buffer.from(this.buffer.subarray(HA_HEADER_BYTES, HA_HEADER_BYTES + size));
      this.buffer = this.buffer.subarray(HA_HEADER_BYTES + size);
      if (size > 0) this.appending = this.appending.then(() => this.append(socket, offset, body));
    }
  }

  private async append(socket: net.Socket, offset: number, body: Buffer): Promise<void> {
    if (socket !== this.socket || this.closed) return;
    const end = this.o.store.commitLogMaxOffset;
    try {
      // an empty slave of a master whose log retention cut starts where the master's log does (ha-master.ts)
      if (end === 0 && offset > 0) await this.o.store.startLogAt(offset);
      else if (offset !== end) return this.fail(new Error(`master pushed offset ${offset}, but the slave's log ends at ${end}`), socket);
      const newEnd = await this.o.store.appendRaw(offset, body);
      this.appendedBytes += newEnd - offset;
      this.o.onAppended?.(newEnd);
      if (socket === this.socket) this.report();
    } catch (err) {
      this.fail(err as Error, socket);
    }
  }

  private fail(err: Error, socket = this.socket): void {
    if (socket !== this.socket) return;
    if (!this.closed) this.o.onError?.(err);
    this.drop();
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }
}
