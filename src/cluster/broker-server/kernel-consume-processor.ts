/**
 * Send-back and transactions with the kernel's answers (request-codes.ts
 * KernelRequestCode), master only, JSON in and out:
 *
 *   KERNEL_SEND_BACK(9006)                SendBackRequest → SendResult (of the retry or dead-letter copy)
 *   KERNEL_END_TRANSACTION(9007)          EndTransactionRequest → EndTransactionResult
 *   KERNEL_POLL_TRANSACTION_CHECKS(9008)  PollTransactionChecksRequest → [{transactionId, commitLogOffset,
 *                                         checkTimes, message: StoredMessageJson}] (long polling)
 *
 * The first two write the commit log, so under SYNC_MASTER they answer once a slave
 * holds the write (BrokerServerContext.replicated).
 */
import type { EndTransactionRequest, PollTransactionChecksRequest, SendBackRequest } from '../../kernel/client/broker-api.js';
import { createResponse } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { KernelRequestCode, ResponseCode } from '../remoting/request-codes.js';
import { jsonBody, readJson, storedMessageToJson } from '../protocol/kernel-bodies.js';
import { assertMaster, assertWritable, type BrokerServerContext } from './context.js';

export function registerKernelConsumeProcessors(server: RemotingServer, ctx: BrokerServerContext): void {
  const { broker } = ctx;
  server.register(KernelRequestCode.KERNEL_SEND_BACK, async (req) => {
    assertWritable(ctx, 'send back');
    const r = readJson<SendBackRequest>(req.body, 'send back');
    const result = await broker.sendBack({ group: r.group, commitLogOffset: r.commitLogOffset, maxReconsumeTimes: r.maxReconsumeTimes, delayMs: r.delayMs });
    await ctx.replicated(result.commitLogOffset + 1);
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody(result) });
  });
  server.register(KernelRequestCode.KERNEL_END_TRANSACTION, async (req) => {
    assertWritable(ctx, 'end transaction');
    const result = await broker.transactions.endTransaction(readJson<EndTransactionRequest>(req.body, 'end transaction'));
    if (result.sendResult) await ctx.replicated(result.sendResult.commitLogOffset + 1);
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody(result) });
  });
  server.register(KernelRequestCode.KERNEL_POLL_TRANSACTION_CHECKS, async (req) => {
    assertMaster(ctx, 'transaction checks');
    const checks = await broker.transactions.pollChecks(readJson<PollTransactionChecksRequest>(req.body, 'transaction checks'));
    const body = checks.map((c) => ({ transactionId: c.transactionId, commitLogOffset: c.commitLogOffset, checkTimes: c.checkTimes, message: storedMessageToJson(c.message) }));
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody(body) });
  });
}
