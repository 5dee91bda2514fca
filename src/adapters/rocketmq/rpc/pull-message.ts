/**
 * PullMessage: offset-based reading of one queue (RocketMQ 5's PullConsumer), answered as
 * a server stream like ReceiveMessage: first a status, then one response per message
 * (queue id and offset, body digest; no receipt handle: pulled messages are not settled
 * one by one), and last `next_offset`, where the next pull of this queue starts.
 *
 *   messages found            OK, the messages, next_offset
 *   none before the wait ends MESSAGE_NOT_FOUND, next_offset
 *   offset outside the queue  ILLEGAL_OFFSET (the queue's min and max in the message),
 *                             next_offset = the nearest valid offset
 *
 * The group's progress moves only by UpdateOffset (offsets.ts), as with a remoting pull
 * consumer; the filter applies as for pop.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import { GetStatus } from '../../../kernel/index.js';
import { Code, OK, status } from '../errors.js';
import { messageToGrpc } from '../message-map.js';
import { type PullMessageRequest, type PullMessageResponse } from '../proto.js';
import { callContext, groupName, reportFailure, type RpcDeps } from './context.js';
import { offsetOf, queueOf } from './message-queue.js';
import { batchSizeOf, filterOf, pollingWaitMs } from './receive-message.js';

const OUT_OF_RANGE = new Set<string>([GetStatus.OffsetTooSmall, GetStatus.OffsetOverflowBadly]);

async function pull(call: ServerWritableStream<PullMessageRequest, PullMessageResponse>, deps: RpcDeps, gone: () => boolean): Promise<void> {
  const ctx = callContext(deps, call.metadata, call.getDeadline());
  const req = call.request;
  const group = groupName(req.group, ctx.namespace);
  const { topic, queueId } = await queueOf(req.messageQueue, ctx, deps);
  deps.auth.authorize(ctx.principal, 'subscribe', topic);
  const offset = offsetOf(req.offset);
  const maxMessages = batchSizeOf(req.batchSize);
  const filter = filterOf(req.filterExpression);
  const suspendMs = pollingWaitMs(req.longPollingTimeout, ctx, deps);
  const result = await deps.kernel.brokerApi.pull({ group, topic, queueId, offset, maxMessages, filter, suspendMs });
  if (gone()) return;
  if (result.messages.length > 0) {
    call.write({ status: OK });
    const storeHost = deps.kernel.brokerApi.brokerName;
    for (const m of result.messages) call.write({ message: messageToGrpc(m, { namespace: ctx.namespace, storeHost }) });
    deps.counters.messagesOut += result.messages.length;
  } else if (OUT_OF_RANGE.has(result.status)) {
    call.write({ status: status(Code.IllegalOffset, `offset ${offset} is outside queue ${queueId} of ${JSON.stringify(topic)}: ${result.minOffset} to ${result.maxOffset}`) });
    // the nearest valid offset (the store would restart a queue that begins at 0 from 0)
    call.write({ nextOffset: Math.min(Math.max(offset, result.minOffset), result.maxOffset) });
    return;
  } else {
    call.write({ status: status(Code.MessageNotFound, 'no new message') });
  }
  call.write({ nextOffset: result.nextBeginOffset });
}

export function pullMessage(deps: RpcDeps) {
  return (call: ServerWritableStream<PullMessageRequest, PullMessageResponse>): void => {
    let cancelled = false;
    call.on('cancelled', () => (cancelled = true));
    void pull(call, deps, () => cancelled)
      .catch((err: unknown) => {
        if (!cancelled) call.write({ status: reportFailure(deps, 'PullMessage', err) });
      })
      .finally(() => {
        if (!cancelled) call.end();
      });
  };
}
