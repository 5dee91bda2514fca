/**
 * Open transactions of a connection (STOMP 1.2 §BEGIN, §COMMIT, §ABORT). A SEND naming a
 * transaction is stored at once as a half message (transactional-sends.ts) and listed
 * here; ACK/NACKs naming it are held here. COMMIT makes the sends visible and then
 * applies the acks in order; ABORT (or a disconnect) rolls the sends back and drops the
 * acks, so acknowledged messages are unacknowledged again.
 */
import type { ConsumeStatus } from '../../kernel/index.js';
import { StompError, StompErrorCode } from './errors.js';
import type { Delivery } from './subscription.js';
import type { HalfSend } from './transactional-sends.js';

/** one transaction may not hold more than this many frames */
export const MAX_TRANSACTION_FRAMES = 10_000;

export interface Transaction {
  /** names its half messages (transactional-sends.ts) */
  key: string;
  begunAt: number;
  /** SENDs so far, including any dropped (a reply to a temporary queue that is gone) */
  sendCount: number;
  halves: HalfSend[];
  acks: Array<{ delivery: Delivery; status: ConsumeStatus }>;
}

export class Transactions {
  private readonly open = new Map<string, Transaction>();

  get size(): number {
    return this.open.size;
  }

  begin(id: string, key: string): void {
    if (this.open.has(id)) throw new StompError(StompErrorCode.DuplicateTransaction, `transaction ${JSON.stringify(id)} is already open`);
    this.open.set(id, { key, begunAt: Date.now(), sendCount: 0, halves: [], acks: [] });
  }

  /** the open transaction `id`, with room for one more frame */
  get(id: string): Transaction {
    const tx = this.open.get(id);
    if (!tx) throw unknown(id);
    if (tx.sendCount + tx.acks.length >= MAX_TRANSACTION_FRAMES) {
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

  /** removes and returns every open transaction (the connection ends) */
  takeAll(): Transaction[] {
    const all = [...this.open.values()];
    this.open.clear();
    return all;
  }
}

function unknown(id: string): StompError {
  return new StompError(StompErrorCode.UnknownTransaction, `no open transaction ${JSON.stringify(id)}`, 'BEGIN it first (STOMP 1.2 §BEGIN)');
}
