/**
 * A master's lease (what RocketMQ 5's controller mode lacks): a master acknowledges a
 * write only while its lease holds. Each heartbeat the controller answers renews it
 * until *the moment the heartbeat was sent* + `leaseMs`; the controller counts a broker
 * dead `brokerTimeoutMs` after it *received* the last one, later than it was sent, and
 * the controller keeps leaseMs below brokerTimeoutMs. So by the time a new master can be
 * elected the old one has stopped acknowledging, even if it was paused (SIGSTOP) or cut
 * off in between: it checks the lease at the instant it would acknowledge.
 *
 * Clocks: both ends measure intervals on their own monotonic clock; the margin
 * (brokerTimeoutMs - leaseMs) covers the rate drift between them.
 */
import { performance } from 'node:perf_hooks';

export class MasterLease {
  private until = 0;
  private epoch = -1;

  /** a heartbeat sent at `sentAt` (performance.now()) was answered: holds until sentAt + leaseMs */
  renew(sentAt: number, leaseMs: number, epoch: number): void {
    if (epoch < this.epoch) return;
    if (epoch > this.epoch) this.until = 0;
    this.epoch = epoch;
    this.until = Math.max(this.until, sentAt + leaseMs);
  }

  /** the role was lost: no more acknowledgements under any epoch up to `epoch` */
  revoke(): void {
    this.until = 0;
  }

  /** holds now for master epoch `epoch` */
  holds(epoch: number): boolean {
    return epoch === this.epoch && performance.now() < this.until;
  }

  /** ms left, negative when expired */
  remainingMs(): number {
    return this.until - performance.now();
  }
}

export function leaseClock(): number {
  return performance.now();
}
