/**
 * Transactional messages (DESIGN.md §3; RocketMQ's TransactionalMessageServiceImpl,
 * EndTransactionProcessor and TransactionalMessageCheckService).
 *
 * - A half message is stored in RMQ_SYS_TRANS_HALF_TOPIC, queue 0, with its real topic and
 *   queue in REAL_TOPIC / REAL_QID, its producer group in PGROUP and TRAN_MSG=true. As in
 *   RocketMQ (parseHalfMessageInner) the half record's sysFlag is reset to "not
 *   transactional": the producer's prepared flag is carried by TRAN_MSG, and the half
 *   topic has a consume queue the check scan can read. Nobody subscribes to that topic,
 *   so the message is invisible.
 * - endTransaction: on commit the message is stored in its real topic and queue
 *   (sysFlag COMMIT, preparedTransactionOffset = the half's commit log offset); either way
 *   an op record goes to RMQ_SYS_TRANS_OP_HALF_TOPIC: tag "d", body = the half's commit log
 *   offset (RocketMQ's REMOVE_TAG op).
 * - Check-back: every `checkIntervalMs` a half unresolved for `timeoutMs` (since it was
 *   stored or last checked) is offered to a live producer of its group
 *   (transaction-checks.ts), and an op record with tag "c" counts the check so the count
 *   survives a restart. After `maxChecks` checks the transaction is rolled back.
 * - Restart: halves from the committed half offset (the lowest unresolved) minus the op
 *   records found from just before that half's store time make the unresolved table again.
 */
import type {
  EndTransactionRequest, EndTransactionResult, HalfSendResult, PollTransactionChecksRequest, SendHalfRequest, SendResult,
  TransactionCheck,
} from '../client/broker-api.js';
import { KernelError, KernelErrorCode } from '../errors.js';
import { MessageSysFlag, type Message, type StoredMessage } from '../message/message.js';
import { createUniqueId } from '../message/msg-id.js';
import { PropertyName } from '../message/properties.js';
import { PutStatus, type PutResult } from '../store/results.js';
import type { Broker } from './broker.js';
import { hashString } from '../common/hash.js';
import { toPlainMessage } from './schedule-service.js';
import { TransactionCheckQueue } from './transaction-checks.js';
import { TRANS_HALF_TOPIC, TRANS_OP_HALF_TOPIC, isSystemTopic, validateTopicName } from './topic-names.js';

/** the internal group whose offset on the half topic is the lowest unresolved half */
export const TRANSACTION_GROUP = 'CID_RMQ_SYS_TRANS';
export const OP_REMOVE_TAG = 'd';
export const OP_CHECK_TAG = 'c';
/** op records written before the first unresolved half by at most this much are still read on restart (clock steps) */
const OP_SCAN_MARGIN_MS = 60_000;

export interface TransactionOptions {
  /** a half unresolved this long (since stored or last checked) is checked back, default 6 s */
  timeoutMs?: number;
  /** how often unresolved halves are scanned, default 30 s */
  checkIntervalMs?: number;
  /** checks before the transaction is rolled back, default 15 */
  maxChecks?: number;
  /** a producer that has not polled for checks this long is not asked, default 30 s */
  producerExpiryMs?: number;
  /** longest check poll, default 30 s */
  maxPollMs?: number;
}

export type TransactionBroker = Pick<Broker, 'options' | 'store' | 'topics' | 'offsets' | 'putResolved' | 'isClosed'>;

interface Half {
  transactionId: string;
  commitLogOffset: number;
  queueOffset: number;
  producerGroup: string;
  storeTimestamp: number;
  checkTimes: number;
  lastCheckAt: number;
}

export class TransactionService {
  /** unresolved halves by commit log offset */
  private readonly halves = new Map<number, Half>();
  private readonly byId = new Map<string, number>();
  private readonly resolving = new Set<number>();
  private readonly checks: TransactionCheckQueue;
  private readonly timeoutMs: number;
  private readonly maxChecks: number;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private roundRobin = 0;
  /** transactions rolled back because their checks ran out */
  discarded = 0;

  private constructor(private readonly b: TransactionBroker, options: TransactionOptions, private readonly onError: (err: unknown) => void) {
    this.timeoutMs = options.timeoutMs ?? 6_000;
    this.maxChecks = options.maxChecks ?? 15;
    this.checks = new TransactionCheckQueue(options.producerExpiryMs ?? 30_000, options.maxPollMs ?? 30_000);
  }

  static async open(broker: TransactionBroker, options: TransactionOptions = {}, onError: (err: unknown) => void = () => undefined): Promise<TransactionService> {
    const service = new TransactionService(broker, options, onError);
    await service.rebuild();
    service.timer = setInterval(() => service.checkNow(), options.checkIntervalMs ?? 30_000);
    service.timer.unref();
    return service;
  }

  get unresolvedCount(): number {
    return this.halves.size;
  }

  async sendHalf(req: SendHalfRequest): Promise<HalfSendResult> {
    this.assertOpen();
    const m = req.message;
    validateTopicName(m.topic);
    if (!req.producerGroup) throw new KernelError(KernelErrorCode.InvalidArgument, 'a transactional message needs a producer group');
    if (isSystemTopic(m.topic)) throw new KernelError(KernelErrorCode.InvalidTopic, `topic ${JSON.stringify(m.topic)} is reserved for the broker`);
    if (m.deliverAt !== undefined || m.delayLevel) throw new KernelError(KernelErrorCode.InvalidMessage, 'a transactional message cannot be delayed');
    const info = await this.b.topics.getOrCreate(m.topic, { noAutoCreate: req.noAutoCreate });
    const queueId = m.shardingKey ? hashString(m.shardingKey) % info.queueCount : this.roundRobin++ % info.queueCount;
    const transactionId = m.uniqueId ?? createUniqueId(this.b.options.storeHost);
    const system = { ...m.systemProperties, [PropertyName.RealTopic]: m.topic, [PropertyName.RealQueueId]: String(queueId), [PropertyName.TransactionPrepared]: 'true' };
    const half: Message = { ...m, topic: TRANS_HALF_TOPIC, uniqueId: transactionId, producerGroup: req.producerGroup, systemProperties: system };
    const put = checkPut(await this.b.store.put(half, { queueId: 0 }));
    this.track({ transactionId, commitLogOffset: put.commitLogOffset, queueOffset: put.queueOffset, producerGroup: req.producerGroup, storeTimestamp: put.storeTimestamp, checkTimes: 0, lastCheckAt: put.storeTimestamp });
    return { msgId: transactionId, topic: m.topic, queueId, queueOffset: put.queueOffset, commitLogOffset: put.commitLogOffset, storeTimestamp: put.storeTimestamp, transactionId };
  }

  async endTransaction(req: EndTransactionRequest): Promise<EndTransactionResult> {
    this.assertOpen();
    if (req.resolution !== 'COMMIT' && req.resolution !== 'ROLLBACK') throw new KernelError(KernelErrorCode.InvalidArgument, `resolution must be COMMIT or ROLLBACK, got ${JSON.stringify(req.resolution)}`);
    const offset = req.commitLogOffset ?? (req.transactionId !== undefined ? this.byId.get(req.transactionId) : undefined);
    const half = offset === undefined ? undefined : this.halves.get(offset);
    if (!half || (req.transactionId !== undefined && half.transactionId !== req.transactionId)) {
      throw new KernelError(KernelErrorCode.TransactionNotFound, `no unresolved transaction ${req.transactionId ?? `at commit log offset ${req.commitLogOffset}`}`);
    }
    if (half.producerGroup !== req.producerGroup) throw new KernelError(KernelErrorCode.InvalidArgument, `transaction ${half.transactionId} belongs to producer group ${JSON.stringify(half.producerGroup)}`);
    return this.resolve(half, req.resolution);
  }

  pollChecks(req: PollTransactionChecksRequest): Promise<TransactionCheck[]> {
    this.assertOpen();
    return this.checks.poll(req);
  }

  /** one check round now (the timer runs it every checkIntervalMs) */
  checkNow(): Promise<void> {
    this.scanning ??= this.checkRound()
      .catch(this.onError)
      .finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.checks.close();
    await this.scanning;
    this.commitHalfOffset();
  }

  // ---- resolution ----

  private async resolve(half: Half, resolution: 'COMMIT' | 'ROLLBACK'): Promise<EndTransactionResult> {
    if (this.resolving.has(half.commitLogOffset)) throw new KernelError(KernelErrorCode.TransactionNotFound, `transaction ${half.transactionId} is being resolved`);
    this.resolving.add(half.commitLogOffset);
    try {
      let sendResult: SendResult | undefined;
      if (resolution === 'COMMIT') {
        const stored = await this.b.store.getMessageByCommitLogOffset(half.commitLogOffset);
        if (!stored) throw new KernelError(KernelErrorCode.TransactionNotFound, `the half message of transaction ${half.transactionId} is no longer stored`);
        const real = realView(stored);
        const put = await this.b.putResolved(toPlainMessage(real), { queueId: real.queueId, sysFlag: MessageSysFlag.TransactionCommitType, preparedTransactionOffset: half.commitLogOffset });
        sendResult = { msgId: put.msgId, topic: put.topic, queueId: put.queueId, queueOffset: put.queueOffset, commitLogOffset: put.commitLogOffset, storeTimestamp: put.storeTimestamp };
      }
      await this.writeOp(OP_REMOVE_TAG, half.commitLogOffset);
      this.untrack(half);
      return { resolution, sendResult };
    } finally {
      this.resolving.delete(half.commitLogOffset);
    }
  }

  private async checkRound(): Promise<void> {
    const now = Date.now();
    for (const half of [...this.halves.values()]) {
      if (this.b.isClosed) return;
      if (this.resolving.has(half.commitLogOffset) || now - half.lastCheckAt < this.timeoutMs) continue;
      if (half.checkTimes >= this.maxChecks) {
        await this.resolve(half, 'ROLLBACK').catch(this.onError);
        this.discarded++;
        continue;
      }
      // counted whether or not a producer is there to answer, as RocketMQ does, so a
      // transaction whose producers are all gone is still rolled back in the end
      half.checkTimes++;
      half.lastCheckAt = now;
      await this.writeOp(OP_CHECK_TAG, half.commitLogOffset);
      if (!this.checks.hasLiveProducer(half.producerGroup)) continue;
      const stored = await this.b.store.getMessageByCommitLogOffset(half.commitLogOffset);
      if (!stored) continue;
      this.checks.offer(half.producerGroup, { transactionId: half.transactionId, commitLogOffset: half.commitLogOffset, message: realView(stored), checkTimes: half.checkTimes });
    }
    this.commitHalfOffset();
  }

  private async writeOp(tag: string, halfOffset: number): Promise<void> {
    checkPut(await this.b.store.put({ topic: TRANS_OP_HALF_TOPIC, tag, body: Buffer.from(String(halfOffset)) }, { queueId: 0 }));
  }

  private track(half: Half): void {
    this.halves.set(half.commitLogOffset, half);
    this.byId.set(half.transactionId, half.commitLogOffset);
  }

  private untrack(half: Half): void {
    this.halves.delete(half.commitLogOffset);
    if (this.byId.get(half.transactionId) === half.commitLogOffset) this.byId.delete(half.transactionId);
    this.checks.forget(half.producerGroup, half.transactionId);
  }

  /** the lowest unresolved half: where the next restart starts reading */
  private commitHalfOffset(): void {
    let lowest = this.b.store.maxOffset(TRANS_HALF_TOPIC, 0);
    for (const half of this.halves.values()) lowest = Math.min(lowest, half.queueOffset);
    this.b.offsets.commit(TRANSACTION_GROUP, TRANS_HALF_TOPIC, 0, lowest);
  }

  // ---- restart ----

  private async rebuild(): Promise<void> {
    const start = this.b.offsets.query(TRANSACTION_GROUP, TRANS_HALF_TOPIC, 0) ?? this.b.store.minOffset(TRANS_HALF_TOPIC, 0);
    let firstStored: number | undefined;
    await this.scan(TRANS_HALF_TOPIC, start, (m) => {
      firstStored ??= m.storeTimestamp;
      const system = m.systemProperties ?? {};
      if (system[PropertyName.TransactionPrepared] !== 'true') return;
      this.track({
        transactionId: m.uniqueId ?? m.msgId, commitLogOffset: m.commitLogOffset, queueOffset: m.queueOffset,
        producerGroup: m.producerGroup ?? '', storeTimestamp: m.storeTimestamp, checkTimes: 0, lastCheckAt: m.storeTimestamp,
      });
    });
    if (firstStored === undefined) return;
    const opStart = this.b.store.searchOffset(TRANS_OP_HALF_TOPIC, 0, firstStored - OP_SCAN_MARGIN_MS);
    await this.scan(TRANS_OP_HALF_TOPIC, opStart, (op) => {
      const half = this.halves.get(Number(op.body.toString()));
      if (!half) return;
      if (op.tag === OP_REMOVE_TAG) this.untrack(half);
      else if (op.tag === OP_CHECK_TAG) {
        half.checkTimes++;
        half.lastCheckAt = Math.max(half.lastCheckAt, op.storeTimestamp);
      }
    });
  }

  private async scan(topic: string, from: number, each: (m: StoredMessage) => void): Promise<void> {
    let offset = from;
    for (;;) {
      const result = await this.b.store.get({ topic, queueId: 0, offset, maxMessages: 256 });
      for (const m of result.messages) each(m);
      if (result.nextBeginOffset <= offset) return;
      offset = result.nextBeginOffset;
    }
  }

  private assertOpen(): void {
    if (this.b.isClosed) throw new KernelError(KernelErrorCode.ServiceUnavailable, 'the broker is shutting down');
  }
}

/** the half message as it will be delivered: real topic and queue, no transaction bookkeeping */
function realView(half: StoredMessage): StoredMessage {
  const system = { ...half.systemProperties };
  const topic = system[PropertyName.RealTopic] ?? half.topic;
  const queueId = Number(system[PropertyName.RealQueueId] ?? 0);
  for (const name of [PropertyName.RealTopic, PropertyName.RealQueueId, PropertyName.TransactionPrepared, PropertyName.TransactionCheckTimes]) delete system[name];
  const msgId = half.uniqueId ?? half.msgId;
  return { ...half, topic, queueId, msgId, uniqueId: msgId, systemProperties: Object.keys(system).length > 0 ? system : undefined };
}

function checkPut(put: PutResult): PutResult {
  if (put.status !== PutStatus.Ok) throw new KernelError(put.status === PutStatus.FlushDiskTimeout ? KernelErrorCode.Timeout : KernelErrorCode.StoreWriteFailed, `store refused the message: ${put.status}`);
  return put;
}
