/**
 * GET /dashboard/api/browse?topic=&queueId=&offset=|timestamp=&max=
 *
 * Reads one queue of a topic from an offset, or from the first message stored at or
 * after a time, without committing anything (the admin API has lookups by id and by key
 * but no browse). Needs admin-read rights, as the admin API does.
 * Answer: {topic, queueId, minOffset, maxOffset, startOffset, nextOffset, messages}.
 */
import type { Request, Response } from 'express';
import type { KernelClient } from '../../../kernel/index.js';
import { ConsumeFrom, KernelError, KernelErrorCode } from '../../../kernel/index.js';
import type { Authenticator } from '../../common/auth.js';
import { authenticateRequest, authorizeAdmin } from '../auth.js';
import { messageView } from '../message-map.js';
import { paramValidator } from '../validate.js';

/** never committed: a browse moves no offset */
export const BROWSE_GROUP = 'dashboard-browse';
export const MAX_BROWSE = 200;

export const BrowseQuery = {
  type: 'object',
  required: ['topic'],
  additionalProperties: false,
  properties: {
    topic: { type: 'string', minLength: 1, maxLength: 127, pattern: '^[^/+#\\u0000-\\u001f\\u007f]+$' },
    queueId: { type: 'integer', minimum: 0, default: 0 },
    offset: { type: 'integer', minimum: 0 },
    timestamp: { type: 'integer', minimum: 0, description: 'epoch ms: start at the first message stored at or after it' },
    max: { type: 'integer', minimum: 1, maximum: MAX_BROWSE, default: 20 },
  },
} as const;

interface BrowseQuery {
  topic: string;
  queueId: number;
  offset?: number;
  timestamp?: number;
  max: number;
}

const validateQuery = paramValidator<BrowseQuery>(BrowseQuery, 'query');

export function browseHandler(auth: Authenticator, kernel: KernelClient) {
  return async (req: Request, res: Response): Promise<void> => {
    authorizeAdmin(authenticateRequest(auth, req.headers), false);
    const q = validateQuery(req.query);
    const stats = await kernel.admin.topicStats(q.topic);
    if (!stats) throw new KernelError(KernelErrorCode.TopicNotFound, `topic ${JSON.stringify(q.topic)} does not exist`);
    const queue = stats.queues.find((s) => s.queueId === q.queueId);
    if (!queue) throw new KernelError(KernelErrorCode.InvalidQueue, `topic ${JSON.stringify(q.topic)} has no queue ${q.queueId}`);

    const wanted = q.timestamp !== undefined
      ? await kernel.brokerApi.searchOffset({ topic: q.topic, queueId: q.queueId, timestamp: q.timestamp })
      : q.offset ?? queue.minOffset;
    const start = Math.min(Math.max(wanted, queue.minOffset), queue.maxOffset);
    const consumer = kernel.createPullConsumer({ group: BROWSE_GROUP, consumeFrom: ConsumeFrom.First });
    try {
      const messages = [];
      let next = start;
      while (messages.length < q.max && next < queue.maxOffset) {
        const result = await consumer.pull({ topic: q.topic, queueId: q.queueId, offset: next, maxMessages: q.max - messages.length });
        messages.push(...result.messages);
        if (result.nextBeginOffset <= next) break;
        next = result.nextBeginOffset;
      }
      res.set('Cache-Control', 'no-store').json({
        topic: q.topic, queueId: q.queueId, minOffset: queue.minOffset, maxOffset: queue.maxOffset,
        startOffset: start, nextOffset: next, messages: messages.slice(0, q.max).map(messageView),
      });
    } finally {
      await consumer.shutdown();
    }
  };
}
