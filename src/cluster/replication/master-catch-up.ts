/**
 * A master that restarted shorter than its slave. Under SIGKILL a master loses nothing it
 * wrote (the page cache survives the process), but a machine crash with an asynchronous
 * flush, or a disk restored from an older copy, leaves it without the tail of its log
 * while its slave still has it, and that tail may hold sends SYNC_MASTER acknowledged.
 *
 * What is done about it (issue 11), instead of RocketMQ 4's silent divergence (its master
 * simply streams from the slave's offset once its own log grows that far, different
 * records under the same offsets):
 * - the slave never cuts its log back to the master's end: it would drop acknowledged
 *   records;
 * - the master, told by the slave's first HA report that the slave is ahead
 *   (ha-master.ts `slaveAheadAt`), takes no write at all (SLAVE_NOT_AVAILABLE before
 *   anything is stored), and a SYNC_MASTER also stores no send before some slave has
 *   reported since it started, so no new record can take an offset the slave holds;
 * - the slave hands the missing records back (this file): it asks the master for its
 *   end (KERNEL_REPLICA_APPEND without a body) and, while the master is behind, sends its
 *   own whole records from there; the master appends them as a slave would
 *   (store.appendRaw checks every record and its physical offset) and dispatches them.
 *   Once the master's end reaches the slave's, it takes writes again and the slave
 *   connects to it as usual.
 * Left open: an ASYNC_MASTER that took writes before its slave reconnected, or a master
 * whose own services wrote (delayed deliveries) while it was behind, holds other records
 * at those offsets; appendRaw then refuses the slave's bytes, which is reported on every
 * attempt (never silent) and needs an operator.
 */
import type { MessageStore } from '../../kernel/store/message-store.js';
import { createRequest } from '../remoting/command.js';
import type { RemotingClient } from '../remoting/remoting-client.js';
import { KernelRequestCode, ResponseCode } from '../remoting/request-codes.js';

export interface MasterCatchUpOptions {
  store: MessageStore;
  client: RemotingClient;
  batchBytes?: number;
  timeoutMs?: number;
  onError?: (err: Error) => void;
}

export class MasterCatchUp {
  private running: Promise<void> | undefined;
  /** bytes handed to a master since start */
  pushedBytes = 0;

  constructor(private readonly o: MasterCatchUpOptions) {}

  /** one pass against the master at `address` (concurrent calls share it) */
  run(address: string): Promise<void> {
    this.running ??= this.pass(address)
      .catch((err: Error) => this.o.onError?.(err))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(address: string): Promise<void> {
    let end: number;
    try {
      end = await this.call(address);
    } catch {
      return; // the master is not there (yet): nothing to hand back
    }
    const { store } = this.o;
    while (end < store.commitLogMaxOffset) {
      const bytes = await store.readCommitLog(end, this.o.batchBytes ?? 256 * 1024);
      if (bytes.length === 0) throw new Error(`master ${address} ends at ${end}, behind this slave's ${store.commitLogMaxOffset}, but no whole record starts there`);
      const next = await this.call(address, end, bytes);
      if (next <= end) throw new Error(`master ${address} took none of the records from ${end}`);
      this.pushedBytes += next - end;
      end = next;
    }
  }

  /** the master's log end, after appending `bytes` at `offset` when given */
  private async call(address: string, offset?: number, bytes?: Buffer): Promise<number> {
    const request = createRequest({ code: KernelRequestCode.KERNEL_REPLICA_APPEND, header: offset === undefined ? {} : { offset }, body: bytes });
    const response = await this.o.client.invoke(address, request, this.o.timeoutMs ?? 5_000);
    if (response.code !== ResponseCode.SUCCESS) throw new Error(`handing records back to master ${address} at ${offset}: ${response.code} ${response.remark ?? ''}`);
    return Number(response.extFields.end);
  }
}
