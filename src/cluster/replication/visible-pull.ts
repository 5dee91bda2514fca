/**
 * A pull that hands out only records below the high-water mark (high-water-mark.ts):
 * `visibleEnd` names the first queue offset of a queue consumers may not read yet.
 * Records at or past it answer as "no new message yet" (OffsetOverflowOne, with that
 * offset as nextBeginOffset and maxOffset); a long poll parks on the queue's hold and
 * is woken when the mark passes more of its records, or when new ones arrive.
 *
 * The kernel's own long poll is never used here: it wakes on arrival and would read a
 * record the mark has not passed. The limit is taken again after every read, so a record
 * dispatched during the read is cut off too.
 */
import type { Broker } from '../../kernel/broker/broker.js';
import type { PullRequest, PullResult } from '../../kernel/client/broker-api.js';
import { GetStatus } from '../../kernel/store/results.js';

export type VisibleEnd = (topic: string, queueId: number) => number | undefined;

export async function pullBelowHighWaterMark(broker: Broker, req: PullRequest, visibleEnd: VisibleEnd): Promise<PullResult> {
  const deadline = Date.now() + Math.min(req.suspendMs ?? 0, broker.options.maxSuspendMs ?? 30_000);
  let offset = req.offset;
  for (;;) {
    const before = visibleEnd(req.topic, req.queueId);
    let result: PullResult;
    if (before !== undefined && offset >= before && offset <= broker.store.maxOffset(req.topic, req.queueId)) {
      result = { status: GetStatus.OffsetOverflowOne, messages: [], nextBeginOffset: offset, minOffset: broker.store.minOffset(req.topic, req.queueId), maxOffset: before };
    } else {
      const maxMessages = before === undefined || offset >= before ? req.maxMessages : Math.min(req.maxMessages, before - offset);
      result = capped(await broker.pull({ ...req, offset, maxMessages, suspendMs: 0 }), visibleEnd(req.topic, req.queueId));
    }
    const waitMs = deadline - Date.now();
    const canWait = result.status === GetStatus.OffsetOverflowOne || result.status === GetStatus.NoMatchedMessage
      || result.status === GetStatus.NoMatchedLogicQueue || result.status === GetStatus.NoMessageInQueue;
    if (result.messages.length > 0 || result.resetTo !== undefined || waitMs <= 0 || !canWait) return result;
    if (result.status === GetStatus.NoMatchedMessage) offset = result.nextBeginOffset;
    await broker.hold.wait(req.topic, req.queueId, waitMs);
  }
}

/** drops what a read returned at or past `limit` */
function capped(r: PullResult, limit: number | undefined): PullResult {
  if (limit === undefined || r.resetTo !== undefined) return r;
  if (r.messages.length === 0 && r.status !== GetStatus.NoMatchedMessage) return r;
  const messages = r.messages.filter((m) => m.queueOffset < limit);
  const status = messages.length === 0 && r.messages.length > 0 ? GetStatus.OffsetOverflowOne : r.status;
  return { ...r, status, messages, nextBeginOffset: Math.min(r.nextBeginOffset, limit), maxOffset: Math.min(r.maxOffset, limit) };
}
