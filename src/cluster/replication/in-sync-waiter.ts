/**
 * A controller-mode master's acknowledgement of a write ending at commit log offset `end`
 * (RocketMQ 5's AutoSwitchHAService with allAckInSyncStateSet / minInSyncReplicas):
 *
 * - fewer confirmed in-sync replicas (the master counts) than `minInSyncReplicas`:
 *   refused at once (SLAVE_NOT_AVAILABLE, retriable; the record stays on the master);
 * - `allAck`: every member of the ack set (the confirmed in-sync set plus members whose
 *   addition is being proposed, so the controller never knows a member the master did not
 *   wait for) must have reported an offset >= end;
 * - otherwise `minInSyncReplicas - 1` in-sync slaves must have it (1: acknowledged after
 *   the local store, as ASYNC_MASTER);
 * - not so within `timeoutMs`: FLUSH_SLAVE_TIMEOUT.
 * `recheck()` re-evaluates waiting writes when the in-sync set changes.
 */
import { KernelErrorCode } from '../../kernel/errors.js';
import { KERNEL_CODE_FIELD } from '../broker-server/kernel-errors.js';
import { ResponseCode } from '../remoting/request-codes.js';
import { ResponseError } from '../remoting/request-dispatcher.js';

export interface SlaveAckSource {
  slaveAcks(): Array<{ brokerId: number | undefined; acked: number }>;
  onAck(listener: (offset: number) => void): void;
}

export interface InSyncWaiterOptions {
  selfId: number;
  allAck: boolean;
  minInSyncReplicas: number;
  timeoutMs: number;
  /** the confirmed in-sync set and the set writes wait on (confirmed ∪ proposed) */
  confirmed: () => number[];
  ackSet: () => number[];
}

interface Waiter {
  end: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class InSyncWaiter {
  private waiters: Waiter[] = [];
  private closed = false;

  constructor(private readonly source: SlaveAckSource, private readonly o: InSyncWaiterOptions) {
    source.onAck(() => this.recheck());
  }

  wait(end: number): Promise<void> {
    if (this.closed) return Promise.reject(stopping());
    const inSync = this.o.confirmed().length;
    if (inSync < this.o.minInSyncReplicas) {
      return Promise.reject(new ResponseError(ResponseCode.SLAVE_NOT_AVAILABLE, `${inSync} in-sync replicas, fewer than minInSyncReplicas ${this.o.minInSyncReplicas}`, { [KERNEL_CODE_FIELD]: KernelErrorCode.ServiceUnavailable }));
    }
    if (this.satisfied(end)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        end, resolve, reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new ResponseError(ResponseCode.FLUSH_SLAVE_TIMEOUT, `the in-sync replicas did not acknowledge offset ${end} within ${this.o.timeoutMs} ms`, { [KERNEL_CODE_FIELD]: KernelErrorCode.Timeout }));
        }, this.o.timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  recheck(): void {
    if (this.waiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.satisfied(w.end)) {
        clearTimeout(w.timer);
        w.resolve();
      } else keep.push(w);
    }
    this.waiters = keep;
  }

  close(): void {
    this.closed = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(stopping());
    }
  }

  private satisfied(end: number): boolean {
    const acked = new Map<number, number>();
    for (const s of this.source.slaveAcks()) {
      if (s.brokerId !== undefined) acked.set(s.brokerId, Math.max(acked.get(s.brokerId) ?? -1, s.acked));
    }
    const has = (id: number): boolean => id === this.o.selfId || (acked.get(id) ?? -1) >= end;
    if (this.o.allAck) return this.o.ackSet().every(has);
    const need = this.o.minInSyncReplicas - 1;
    return this.o.confirmed().filter((id) => id !== this.o.selfId && has(id)).length >= need;
  }
}

function stopping(): ResponseError {
  return new ResponseError(ResponseCode.FLUSH_SLAVE_TIMEOUT, 'the master is stepping down', { [KERNEL_CODE_FIELD]: KernelErrorCode.Timeout });
}
