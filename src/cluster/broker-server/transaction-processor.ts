/**
 * Transactional messages over remoting (RocketMQ's EndTransactionProcessor and
 * Broker2Client.checkProducerTransactionState):
 *
 *   END_TRANSACTION(37)  EndTransactionRequestHeader {producerGroup, tranStateTableOffset,
 *       commitLogOffset (of the half), commitOrRollback (8 commit, 12 rollback, 0 unknown:
 *       nothing to do), fromTransactionCheck, msgId, transactionId}; usually one-way.
 *
 *   CHECK_TRANSACTION_STATE(39), broker → producer, one-way: header
 *       CheckTransactionStateRequestHeader {topic, tranStateTableOffset, commitLogOffset,
 *       msgId, transactionId, offsetMsgId}; body the message as a stored record with its
 *       real topic, UNIQ_KEY (= transactionId) and PGROUP, as MessageDecoder.decode reads it.
 *       The producer answers with END_TRANSACTION (fromTransactionCheck=true).
 *
 * The kernel hands checks to producers that long-poll for them (no callback crosses
 * BrokerApi); here every producer client that announced its group in a heartbeat gets
 * such a poll loop for as long as its connection stays open, and each check it receives
 * is pushed to that connection.
 */
import type { StoredMessage } from '../../kernel/message/message.js';
import { formatMsgId } from '../../kernel/message/msg-id.js';
import { encodeRecord, stampRecord } from '../../kernel/message/record-codec.js';
import { createRequest, createResponse } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';
import type { Connection } from '../remoting/transport.js';
import { HeaderFields } from '../protocol/header-fields.js';
import { SysFlag } from '../protocol/wire-message.js';
import type { BrokerServerContext } from './context.js';

/** the Java client's own producer group, never transactional */
const CLIENT_INNER_PRODUCER = 'CLIENT_INNER_PRODUCER';
const POLL_MS = 10_000;
const RETRY_AFTER_ERROR_MS = 1_000;

export function registerTransactionProcessor(server: RemotingServer, ctx: BrokerServerContext): void {
  server.register(RequestCode.END_TRANSACTION, async (req) => {
    const h = new HeaderFields(req.extFields);
    const type = h.optInt('commitOrRollback') ?? 0;
    if (type !== SysFlag.TransactionCommit && type !== SysFlag.TransactionRollback) return createResponse(req, { code: ResponseCode.SUCCESS });
    await ctx.broker.transactions.endTransaction({
      producerGroup: h.str('producerGroup'),
      transactionId: h.optStr('transactionId') || h.optStr('msgId') || undefined,
      commitLogOffset: h.optInt('commitLogOffset'),
      resolution: type === SysFlag.TransactionCommit ? 'COMMIT' : 'ROLLBACK',
      fromCheck: h.bool('fromTransactionCheck', false),
    });
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
}

/** poll loops of producer clients: (connection, group, clientId) → running */
export class TransactionCheckRelay {
  private readonly loops = new Set<string>();
  private stopped = false;

  constructor(private readonly server: RemotingServer, private readonly ctx: BrokerServerContext, private readonly pollMs = POLL_MS) {}

  /** a producer of `group` heartbeats over `connection`: make sure its check loop runs */
  producerSeen(connection: Connection, clientId: string, group: string): void {
    if (group === CLIENT_INNER_PRODUCER || this.stopped || connection.closed) return;
    const key = `${connection.id}\u0000${group}\u0000${clientId}`;
    if (this.loops.has(key)) return;
    this.loops.add(key);
    void this.run(connection, clientId, group).finally(() => this.loops.delete(key));
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(connection: Connection, clientId: string, group: string): Promise<void> {
    const { broker } = this.ctx;
    while (!this.stopped && !connection.closed && !broker.isClosed) {
      try {
        const checks = await broker.transactions.pollChecks({ producerGroup: group, clientId, waitMs: this.pollMs });
        for (const check of checks) this.push(connection, group, check.transactionId, check.commitLogOffset, check.message);
      } catch {
        await new Promise((r) => setTimeout(r, RETRY_AFTER_ERROR_MS).unref());
      }
    }
  }

  private push(connection: Connection, group: string, transactionId: string, commitLogOffset: number, message: StoredMessage): void {
    const o = this.ctx.broker.options;
    const storeHost = o.storeHost ?? '127.0.0.1';
    const storePort = o.storePort ?? 10911;
    const offsetMsgId = formatMsgId({ host: storeHost, port: storePort, commitLogOffset });
    this.server.sendOneway(connection, createRequest({
      code: RequestCode.CHECK_TRANSACTION_STATE,
      header: { topic: message.topic, tranStateTableOffset: message.queueOffset, commitLogOffset, msgId: transactionId, transactionId, offsetMsgId },
      body: checkRecord({ ...message, uniqueId: transactionId, producerGroup: message.producerGroup ?? group }, commitLogOffset, storeHost, storePort),
    }));
  }
}

/** the message to check as a stored-layout record (RocketMQ sends MessageDecoder.encode of it) */
function checkRecord(m: StoredMessage, commitLogOffset: number, storeHost: string, storePort: number): Buffer {
  const { buffer } = encodeRecord(m, {
    queueId: m.queueId, flag: m.flag, sysFlag: (m.sysFlag & ~0xc) | SysFlag.TransactionPrepared, bornTimestamp: m.bornTimestamp,
    bornHost: storeHost, bornPort: 0, storeHost, storePort, reconsumeTimes: m.reconsumeTimes, preparedTransactionOffset: 0,
  });
  stampRecord(buffer, m.queueOffset, commitLogOffset, m.storeTimestamp);
  return buffer;
}
