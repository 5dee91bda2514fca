/**
 * SENDs of STOMP transactions as kernel transactional messages (RocketMQ half
 * messages), so a transaction is all-or-nothing and survives a crash:
 *
 * - each SEND of a transaction is stored at once as a half message: durable, invisible;
 * - COMMIT first stores a commit record (topic `stomp-tx-commits`, key = the
 *   transaction's key), then commits every half in send order; ABORT, a dropped
 *   connection or a refused COMMIT roll them back;
 * - every half's unique id (its message-id) starts with the transaction's key, so when
 *   the broker checks back an unresolved half (the gateway crashed mid-transaction, or
 *   mid-COMMIT) the answer is COMMIT when the commit record exists, UNKNOWN while the
 *   transaction may still be open somewhere, ROLLBACK once it is orphaned.
 *
 * A transaction with a single SEND needs no commit record: its one endTransaction is
 * the decision. The commits of a multi-SEND transaction follow each other without
 * waiting in between; a consumer may see the first before the last is committed.
 */
import { randomBytes } from 'node:crypto';
import {
  isKernelError, KernelErrorCode, TransactionResolution, type KernelClient, type Message, type Producer, type StoredMessage,
} from '../../kernel/index.js';

/** the producer group of STOMP transactions: the broker checks unresolved halves back with it */
export const TX_PRODUCER_GROUP = 'stomp-tx';
/** where commit records go; their key is the transaction's key */
export const TX_COMMITS_TOPIC = 'stomp-tx-commits';
/** hex digits of a transaction key; the half's unique id is the key and a 12-digit sequence (32 hex, like kernel ids) */
const KEY_DIGITS = 20;

export interface HalfSend {
  transactionId: string;
  commitLogOffset: number;
}

export interface TransactionalSendsOptions {
  /** a half with no commit record is rolled back on check-back once it is this old */
  orphanMs: number;
}

export class TransactionalSends {
  private created: Producer | undefined;
  /** keys of transactions open (or committing) on this gateway */
  private readonly live = new Set<string>();

  constructor(private readonly kernel: KernelClient, private readonly options: TransactionalSendsOptions) {}

  /** the producer of commit records; while it runs it answers the broker's check-backs */
  get producer(): Producer {
    this.created ??= this.kernel.createProducer({ group: TX_PRODUCER_GROUP, checkTransaction: (m) => this.check(m) });
    return this.created;
  }

  /** answers check-backs from now on (halves a crashed gateway left behind, too) */
  start(): void {
    void this.producer;
  }

  /** a new transaction key, live until `end` */
  begin(): string {
    const key = randomBytes(KEY_DIGITS / 2).toString('hex').toUpperCase();
    this.live.add(key);
    return key;
  }

  end(key: string): void {
    this.live.delete(key);
  }

  /** stores `message` as a half message of transaction `key` (its `sequence`-th SEND) */
  async sendHalf(key: string, sequence: number, message: Message, noAutoCreate: boolean): Promise<HalfSend> {
    const uniqueId = key + sequence.toString(16).toUpperCase().padStart(32 - KEY_DIGITS, '0');
    const half = await this.kernel.brokerApi.sendHalfMessage({
      message: { ...message, uniqueId, producerGroup: TX_PRODUCER_GROUP, bornTimestamp: message.bornTimestamp ?? Date.now() },
      producerGroup: TX_PRODUCER_GROUP,
      noAutoCreate,
    });
    return { transactionId: half.transactionId, commitLogOffset: half.commitLogOffset };
  }

  /** makes the halves visible, in order; once the commit record is stored the transaction is committed, crash or not */
  async commit(key: string, halves: readonly HalfSend[]): Promise<void> {
    if (halves.length > 1) await this.producer.send({ topic: TX_COMMITS_TOPIC, keys: [key], body: Buffer.from(String(halves.length)) });
    for (const half of halves) await this.resolve(half, TransactionResolution.Commit);
  }

  async rollback(halves: readonly HalfSend[]): Promise<void> {
    for (const half of halves) await this.resolve(half, TransactionResolution.Rollback);
  }

  private async resolve(half: HalfSend, resolution: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    try {
      await this.kernel.brokerApi.endTransaction({ producerGroup: TX_PRODUCER_GROUP, transactionId: half.transactionId, commitLogOffset: half.commitLogOffset, resolution });
    } catch (err) {
      // a check-back resolved it already (with the same answer: see check)
      if (!isKernelError(err, KernelErrorCode.TransactionNotFound)) throw err;
    }
  }

  /** the broker's check-back of a half left unresolved */
  async check(message: StoredMessage): Promise<TransactionResolution> {
    const key = (message.uniqueId ?? message.msgId).slice(0, KEY_DIGITS);
    if (this.live.has(key)) return TransactionResolution.Unknown;
    let committed: StoredMessage[];
    try {
      committed = await this.kernel.admin.queryMessagesByKey({ topic: TX_COMMITS_TOPIC, key, max: 1 });
    } catch (err) {
      if (!isKernelError(err, KernelErrorCode.TopicNotFound)) return TransactionResolution.Unknown;
      committed = [];
    }
    if (committed.length > 0) return TransactionResolution.Commit;
    // another gateway node may still have it open
    return Date.now() - message.bornTimestamp >= this.options.orphanMs ? TransactionResolution.Rollback : TransactionResolution.Unknown;
  }

  async shutdown(): Promise<void> {
    await this.created?.shutdown();
  }
}
