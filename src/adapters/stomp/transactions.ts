/**
 * Open transactions of a connection (STOMP 1.2 §BEGIN, §COMMIT, §ABORT): SENDs and
 * ACK/NACKs naming a transaction are held here until COMMIT applies them in order;
 * ABORT (or a disconnect) drops them, so acknowledged messages are unacknowledged again.
 */
import type { ConsumeStatus } from '../../kernel/index.js';
import { StompError, StompErrorCode } from './errors.js';
import type { PreparedSend } from './session.js';
import type { Delivery } from './subscription.js';

/** one transaction may not buffer more than this many frames */
export const MAX_TRANSACTION_FRAMES = 10_000;

export interface Transaction {
  sends: PreparedSend[];
  acks: Array<{ delivery: Delivery; status: ConsumeStatus }>;
}

export class Transactions {
  private readonly open = new Map<string, Transaction>();

  get size(): number {
    return this.open.size;
  }

  begin(id: string): void {
    if (this.open.has(id)) throw new StompError(StompErrorCode.DuplicateTransaction, `transaction ${JSON.stringify(id)} is already open`);
    this.open.set(id, { sends: [], acks: [] });
  }

  /** the open transaction `id`, with room for one more frame */
  get(id: string): Transaction {
    const tx = this.open.get(id);
    if (!tx) throw unknown(id);
    if (tx.sends.length + tx.acks.length >= MAX_TRANSACTION_FRAMES) {
      throw new StompError(StompErrorCode.InvalidHeader, `transaction ${JSON.stringify(id)} is too large`, `at most ${MAX_TRANSACTION_FRAMES} frames per transaction`);
    }
    return tx;
  }

  /** removes and returns the open transaction `id` (COMMIT, ABORT) */
  take(id: string): Transaction {
    const tx = this.open.get(id);
    if (!tx) throw unknown(id);
    this.open.delete(id);
    return tx;
  }

  clear(): void {
    this.open.clear();
  }
}

function unknown(id: string): StompError {
  return new StompError(StompErrorCode.UnknownTransaction, `no open transaction ${JSON.stringify(id)}`, 'BEGIN it first (STOMP 1.2 §BEGIN)');
}
