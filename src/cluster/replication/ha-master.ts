/**
 * The master side of replication (RocketMQ's HAService AcceptSocketService + HAConnection):
 * accepts slaves on the HA port and, for each, streams the commit log from the offset of
 * its first report (ha-protocol.ts): whole records in batches of `transferBatchBytes`,
 * a heartbeat header when there is nothing to send for `heartbeatMs`. Each report is the
 * slave's acknowledged offset; `ackOffset` is the highest of the connected slaves', and
 * SYNC_MASTER sends wait on it (sync-waiter.ts).
 *
 * A report below zero is no offset but a slave naming itself (controller mode, see
 * ha-slave.ts `brokerId`): `-(brokerId + 1)`; `slaveAcks()` then tells each slave's
 * acknowledged offset by id, for acknowledgements that wait on the whole in-sync set.
 *
 * An empty slave (it reports 0) is served from this log's first retained byte, which
 * retention may have moved past 0; the slave's log then starts there (ha-slave.ts).
 * A slave that reports an offset beyond this log's end (it has records this master
 * lost) or below its first retained byte cannot be served; its connection is closed and
 * the reason reported. The first case is remembered (`slaveAheadAt`): the master then
 * takes no write until the slave has handed the missing records back (replication.ts,
 * master-catch-up.ts), so it never stores other records at offsets the slave holds.
 */
import net from 'node:net';
import type { MessageStore } from '../../kernel/store/message-store.js';
import {
  DEFAULT_HA_HEARTBEAT_MS, DEFAULT_HA_HOUSEKEEPING_MS, DEFAULT_HA_TRANSFER_BATCH_BYTES, HA_REPORT_BYTES, encodeTransferHeader, readOffset,
} from './ha-protocol.js';

export interface HaMasterOptions {
  store: MessageStore;
  host?: string;
  /** 0 picks a free port */
  port: number;
  heartbeatMs?: number;
  housekeepingMs?: number;
  transferBatchBytes?: number;
  onError?: (err: Error) => void;
}

class SlaveConnection {
  /** where the next transfer starts; undefined until the first report */
  next: number | undefined;
  acked = -1;
  /** the slave's broker id, once it named itself */
  brokerId: number | undefined;
  lastHeard = Date.now();
  private pending: Buffer = Buffer.alloc(0);
  private closed = false;

  constructor(readonly socket: net.Socket, private readonly master: HaMaster) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(err));
    socket.on('close', () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.master.dropped(this, err);
  }

  private onData(chunk: Buffer): void {
    this.lastHeard = Date.now();
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let pos = 0;
    let last: number | undefined;
    while (this.pending.length - pos >= HA_REPORT_BYTES) {
      const value = readOffset(this.pending, pos);
      pos += HA_REPORT_BYTES;
      if (value < 0) this.brokerId = -value - 1;
      else last = value;
    }
    this.pending = this.pending.subarray(pos);
    if (last === undefined) return;
    if (this.next === undefined) {
      if (!this.master.canServeFrom(last, this)) return;
      // an empty slave starts at this log's first retained byte (retention may have cut the log's start)
      this.next = last === 0 ? this.master.firstRetained : last;
      void this.master.serve(this);
    }
    if (last > this.acked) {
      this.acked = last;
      this.master.acknowledged(last);
    }
  }
}

export class HaMaster {
  private readonly slaves = new Set<SlaveConnection>();
  private readonly ackListeners: Array<(offset: number) => void> = [];
  private dataWaiters: Array<() => void> = [];
  private readonly unsubscribe: () => void;
  private readonly housekeeping: NodeJS.Timeout;
  private closed = false;
  /** a slave's first report was accepted since this master started */
  private slaveSeen = false;
  /** the highest offset a slave reported beyond this log's end, -1 if none did */
  private aheadOffset = -1;

  private constructor(private readonly server: net.Server, readonly port: number, private readonly o: HaMasterOptions) {
    this.unsubscribe = o.store.onDispatched(() => this.wakeWriters());
    this.housekeeping = setInterval(() => {
      const limit = Date.now() - (o.housekeepingMs ?? DEFAULT_HA_HOUSEKEEPING_MS);
      for (const s of this.slaves) if (s.lastHeard < limit) s.close(new Error('slave silent past the housekeeping interval'));
    }, Math.min(o.housekeepingMs ?? DEFAULT_HA_HOUSEKEEPING_MS, 1_000));
    this.housekeeping.unref();
  }

  static listen(o: HaMasterOptions): Promise<HaMaster> {
    return new Promise((resolve, reject) => {
      const ref: { master?: HaMaster } = {};
      const server = net.createServer((socket) => {
        if (!ref.master || ref.master.closed) return void socket.destroy();
        ref.master.slaves.add(new SlaveConnection(socket, ref.master));
      });
      server.once('error', reject);
      server.listen(o.port, o.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        ref.master = new HaMaster(server, (server.address() as net.AddressInfo).port, o);
        resolve(ref.master);
      });
    });
  }

  /** the highest offset any connected slave acknowledged, -1 without one */
  get ackOffset(): number {
    let max = -1;
    for (const s of this.slaves) if (s.next !== undefined && s.acked > max) max = s.acked;
    return max;
  }

  get connectedSlaves(): number {
    let n = 0;
    for (const s of this.slaves) if (s.next !== undefined) n++;
    return n;
  }

  /** each serving slave's acknowledged offset, with its broker id when it named itself */
  slaveAcks(): Array<{ brokerId: number | undefined; acked: number }> {
    // asked on every dispatched record and every acknowledgement (high-water-mark.ts, in-sync-waiter.ts): one pass, one array
    const acks: Array<{ brokerId: number | undefined; acked: number }> = [];
    for (const s of this.slaves) if (s.next !== undefined) acks.push({ brokerId: s.brokerId, acked: s.acked });
    return acks;
  }

  /** @internal where an empty slave starts */
  get firstRetained(): number {
    return this.o.store.commitLogMinOffset;
  }

  /** some slave was in sync with this master since it started */
  get slaveReportedSinceStart(): boolean {
    return this.slaveSeen;
  }

  /** where a slave's log ends beyond this one's, while it does (records this master lost) */
  get slaveAheadAt(): number | undefined {
    return this.aheadOffset > this.o.store.commitLogMaxOffset ? this.aheadOffset : undefined;
  }

  onAck(listener: (offset: number) => void): void {
    this.ackListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearInterval(this.housekeeping);
    for (const s of [...this.slaves]) s.close();
    this.wakeWriters();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** @internal a first report: can this log serve a slave at `offset`? */
  canServeFrom(offset: number, slave: SlaveConnection): boolean {
    const { store } = this.o;
    if (offset > store.commitLogMaxOffset) {
      this.aheadOffset = Math.max(this.aheadOffset, offset);
      slave.close(new Error(`slave reports offset ${offset} beyond the master's log end ${store.commitLogMaxOffset}`));
      return false;
    }
    if (offset < store.commitLogMinOffset && offset !== 0) {
      slave.close(new Error(`slave reports offset ${offset}, below the master's first retained byte ${store.commitLogMinOffset}`));
      return false;
    }
    this.slaveSeen = true;
    return true;
  }

  /** @internal */
  acknowledged(offset: number): void {
    for (const l of this.ackListeners) l(offset);
  }

  /** @internal */
  dropped(slave: SlaveConnection, err?: Error): void {
    this.slaves.delete(slave);
    if (err && !this.closed) this.o.onError?.(err);
    this.wakeWriters();
  }

  /** @internal the transfer loop of one slave (RocketMQ's WriteSocketService) */
  async serve(slave: SlaveConnection): Promise<void> {
    const { store } = this.o;
    const batch = this.o.transferBatchBytes ?? DEFAULT_HA_TRANSFER_BATCH_BYTES;
    const heartbeatMs = this.o.heartbeatMs ?? DEFAULT_HA_HEARTBEAT_MS;
    try {
      while (!slave.isClosed && !this.closed) {
        const from = slave.next!;
        const bytes = from < store.commitLogMaxOffset ? await store.readCommitLog(from, batch) : Buffer.alloc(0);
        if (bytes.length > 0) {
          slave.next = from + bytes.length;
          if (!slave.socket.write(Buffer.concat([encodeTransferHeader(from, bytes.length), bytes]))) await waitDrain(slave);
          continue;
        }
        if (from < store.commitLogMaxOffset) {
          await new Promise((r) => setTimeout(r, 10)); // written, not yet readable as whole records
          continue;
        }
        if (!(await this.waitForData(from, heartbeatMs))) slave.socket.write(encodeTransferHeader(from, 0));
      }
    } catch (err) {
      slave.close(err as Error);
    }
  }

  /** true when the log grows past `from` within `ms` */
  private waitForData(from: number, ms: number): Promise<boolean> {
    if (from < this.o.store.commitLogMaxOffset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.dataWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private wakeWriters(): void {
    const waiters = this.dataWaiters;
    this.dataWaiters = [];
    for (const w of waiters) w();
  }
}

function waitDrain(slave: SlaveConnection): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      slave.socket.off('drain', done);
      slave.socket.off('close', done);
      resolve();
    };
    slave.socket.once('drain', done);
    slave.socket.once('close', done);
  });
}
