/**
 * EndTransaction: COMMIT delivers the half message to its topic, ROLLBACK drops it. The
 * producer's own decision (SOURCE_CLIENT) and its answer to a check-back
 * (SOURCE_SERVER_CHECK) resolve the same way; an unknown or already resolved transaction
 * is INVALID_TRANSACTION_ID.
 */
import { TransactionResolution } from '../../../kernel/index.js';
import { Code, OK, RocketMqError } from '../errors.js';
import { kernelName } from '../message-map.js';
import type { EndTransactionRequest, Status } from '../proto.js';
import { transactionGroup } from '../transactions.js';
import type { UnaryHandler } from './context.js';

export interface EndTransactionResponse {
  status: Status;
}

const RESOLUTIONS: Record<string, 'COMMIT' | 'ROLLBACK'> = { COMMIT: TransactionResolution.Commit, ROLLBACK: TransactionResolution.Rollback };

export const endTransaction: UnaryHandler<EndTransactionRequest, EndTransactionResponse> = async (req, ctx, deps) => {
  const topic = kernelName(req.topic, ctx.namespace);
  if (topic === '') throw new RocketMqError(Code.IllegalTopic, 'topic is required');
  if (!req.transactionId) throw new RocketMqError(Code.InvalidTransactionId, 'transaction id is required');
  const resolution = RESOLUTIONS[req.resolution ?? ''];
  if (!resolution) throw new RocketMqError(Code.BadRequest, `resolution must be COMMIT or ROLLBACK, got ${JSON.stringify(req.resolution ?? 'TRANSACTION_RESOLUTION_UNSPECIFIED')}`);
  deps.auth.authorize(ctx.principal, 'publish', topic);
  await deps.kernel.brokerApi.endTransaction({
    producerGroup: transactionGroup(topic), transactionId: req.transactionId, resolution, fromCheck: req.source === 'SOURCE_SERVER_CHECK',
  });
  return { status: OK };
};
