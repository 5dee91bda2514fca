/**
 * SYNC_MASTER's acknowledgement (RocketMQ's GroupTransferService / handleHA): a write that
 * ends at commit log offset `end` is acknowledged once a slave reported an offset >= end.
 *
 * - no slave connected, or the best one more than `maxGapBytes` behind the master's log:
 *   SLAVE_NOT_AVAILABLE at once (RocketMQ's isSlaveOK);
 * - no report that far within `timeoutMs` (RocketMQ's syncFlushTimeout, 5 s):
 *   FLUSH_SLAVE_TIMEOUT.
 * Either way the message is stored on the master; the send is just not acknowledged as
 * replicated, so a client never takes it for SEND_OK.
 *
 * ASYNC_MASTER does not wait (its broker server gets no `replicated` hook).
 */
import { KernelErrorCode } from '../../kernel/errors.js';
import { KERNEL_CODE_FIELD } from '../broker-server/kernel-errors.js';
import { ResponseCode } from '../remoting/request-codes.js';
import { ResponseError } from '../remoting/request-dispatcher.js';

export interface SyncSource {
  readonly ackOffset: number;
  readonly connectedSlaves: number;
  onAck(listener: (offset: number) => void): void;
}

export interface SyncWaiterOptions {
  timeoutMs?: number;
  maxGapBytes?: number;
  masterMaxOffset: () => number;
}

interface Waiter {
  end: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class SyncWaiter {
  private waiters: Waiter[] = [];
  /** acknowledged sends, timeouts and refusals, for stats */
  readonly counts = { acked: 0, timedOut: 0, notAvailable: 0 };

  constructor(private readonly source: SyncSource, private readonly o: SyncWaiterOptions) {
    source.onAck((offset) => this.acknowledged(offset));
  }

  wait(end: number): Promise<void> {
    if (this.source.ackOffset >= end) {
      this.counts.acked++;
      return Promise.resolve();
    }
    const gap = this.o.masterMaxOffset() - this.source.ackOffset;
    if (this.source.connectedSlaves === 0 || gap > (this.o.maxGapBytes ?? 256 * 1024 * 1024)) {
      this.counts.notAvailable++;
      return Promise.reject(new ResponseError(ResponseCode.SLAVE_NOT_AVAILABLE, this.source.connectedSlaves === 0 ? 'no slave is connected' : `the slave is ${gap} bytes behind`, { [KERNEL_CODE_FIELD]: KernelErrorCode.ServiceUnavailable }));
    }
    const timeoutMs = this.o.timeoutMs ?? 5_000;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        end,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          this.counts.timedOut++;
          reject(new ResponseError(ResponseCode.FLUSH_SLAVE_TIMEOUT, `no slave acknowledged offset ${end} within ${timeoutMs} ms`, { [KERNEL_CODE_FIELD]: KernelErrorCode.Timeout }));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** fails every waiting send (the master is stopping) */
  close(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new ResponseError(ResponseCode.FLUSH_SLAVE_TIMEOUT, 'the master is stopping', { [KERNEL_CODE_FIELD]: KernelErrorCode.Timeout }));
    }
  }

  get waiting(): number {
    return this.waiters.length;
  }

  private acknowledged(offset: number): void {
    if (this.waiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.end <= offset) {
        clearTimeout(w.timer);
        this.counts.acked++;
        w.resolve();
      } else keep.push(w);
    }
    this.waiters = keep;
  }
}
