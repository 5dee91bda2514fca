/**
 * Dead letters of a consumer group (`%DLQ%<group>`): listing and re-drive.
 * A re-drive sends each dead letter to the group's retry topic `%RETRY%<group>` with its
 * original topic (as the kernel's own retries do), so only that group receives it again,
 * with a fresh attempt count. Re-drive progress is the committed offset of the group
 * `http-redrive-<group>` on the dead-letter topic: a plain re-drive sends each dead letter
 * once; naming msgIds sends those again regardless.
 */
import type { KernelClient, Message, PullConsumer, StoredMessage } from '../../../kernel/index.js';
import { ConsumeFrom, KernelError, KernelErrorCode, PropertyName } from '../../../kernel/index.js';
import type { HttpDeps } from '../deps.js';
import { toHttpError } from '../errors.js';
import { messageView } from '../message-map.js';
import { route } from '../route.js';
import type { RouteSpec } from '../route.js';
import { DeadLetterList, DeadLetterQuery, ErrorResponse, GroupName, RedriveRequest, RedriveResponse } from '../schemas.js';

const BROWSE_GROUP = 'http-admin-browse';
/** DLQ_ORIGIN_TOPIC as the kernel's retry service writes it */
const DLQ_ORIGIN_TOPIC = 'DLQ_ORIGIN_TOPIC';
const MAX_SCAN = 100_000;

export const dlqTopicOf = (group: string): string => `%DLQ%${group}`;
export const retryTopicOf = (group: string): string => `%RETRY%${group}`;
const redriveGroupOf = (group: string): string => `http-redrive-${group}`;

function originTopic(m: StoredMessage): string {
  return m.systemProperties?.[DLQ_ORIGIN_TOPIC] ?? m.systemProperties?.[PropertyName.RetryTopic] ?? m.topic;
}

function originMsgId(m: StoredMessage): string {
  return m.systemProperties?.[PropertyName.OriginMessageId] ?? m.msgId;
}

/** reads queue 0 of `topic` from `offset` until `max` messages or its end */
async function readDlq(consumer: PullConsumer, topic: string, offset: number, max: number): Promise<{ messages: StoredMessage[]; next: number }> {
  const messages: StoredMessage[] = [];
  let next = offset;
  while (messages.length < max) {
    const result = await consumer.pull({ topic, queueId: 0, offset: next, maxMessages: Math.min(256, max - messages.length) });
    messages.push(...result.messages);
    if (result.nextBeginOffset <= next) break;
    next = result.nextBeginOffset;
    if (result.messages.length === 0 && next >= result.maxOffset) break;
  }
  return { messages, next };
}

async function redriveOffset(kernel: KernelClient, group: string): Promise<number> {
  const lags = await kernel.admin.groupLag(redriveGroupOf(group)).catch(() => []);
  return lags.find((l) => l.topic === dlqTopicOf(group) && l.queueId === 0)?.consumerOffset ?? 0;
}

function redriveMessage(group: string, m: StoredMessage): Message {
  const origin = originTopic(m);
  const copy: Message = {
    topic: retryTopicOf(group),
    body: m.body,
    uniqueId: originMsgId(m),
    systemProperties: { [PropertyName.RetryTopic]: origin, [PropertyName.OriginMessageId]: originMsgId(m) },
  };
  for (const field of ['tag', 'keys', 'properties', 'contentType', 'shardingKey', 'path', 'priority', 'correlationId', 'replyTo', 'expireAt'] as const) {
    if (m[field] !== undefined) (copy as unknown as Record<string, unknown>)[field] = m[field];
  }
  return copy;
}

export function deadLetterRoutes(deps: HttpDeps): RouteSpec[] {
  const { kernel } = deps;
  const params = { type: 'object', required: ['group'], properties: { group: GroupName } } as const;
  const ensureGroup = async (group: string): Promise<void> => {
    if (!(await kernel.admin.getGroup(group)) && !(await kernel.admin.topicStats(dlqTopicOf(group)))) {
      throw new KernelError(KernelErrorCode.GroupNotFound, `group ${JSON.stringify(group)} does not exist`);
    }
  };
  return [
    route<{ group: string }, DeadLetterQuery, unknown>({
      method: 'get', path: '/v1/groups/{group}/dead-letters', operationId: 'listDeadLetters', summary: 'Dead letters of a group', tag: 'admin', auth: 'admin-read',
      params, query: DeadLetterQuery,
      responses: { 200: { description: 'dead letters, oldest first', schema: DeadLetterList }, 404: { description: 'unknown group', schema: ErrorResponse } },
      handler: async (ctx) => {
        const { group } = ctx.params;
        await ensureGroup(group);
        const topic = dlqTopicOf(group);
        const stats = await kernel.admin.topicStats(topic);
        const queue = stats?.queues[0];
        if (!queue) return { status: 200, body: { topic, nextOffset: 0, messages: [] } };
        const marker = await redriveOffset(kernel, group);
        const consumer = kernel.createPullConsumer({ group: BROWSE_GROUP, consumeFrom: ConsumeFrom.First });
        try {
          const { messages, next } = await readDlq(consumer, topic, Math.max(ctx.query.offset ?? queue.minOffset, queue.minOffset), ctx.query.max);
          const views = messages.map((m) => ({
            ...messageView(m), queueOffset: m.queueOffset, originTopic: originTopic(m), originMsgId: originMsgId(m), redriven: m.queueOffset < marker,
          }));
          return { status: 200, body: { topic, nextOffset: next, messages: views } };
        } finally {
          await consumer.shutdown();
        }
      },
    }),
    route<{ group: string }, unknown, RedriveRequest>({
      method: 'post', path: '/v1/groups/{group}/dead-letters/redrive', operationId: 'redriveDeadLetters', summary: 'Send dead letters back to the group', tag: 'admin', auth: 'admin-write',
      params, body: { schema: RedriveRequest, required: false },
      responses: { 200: { description: 'what was sent back', schema: RedriveResponse }, 404: { description: 'unknown group', schema: ErrorResponse } },
      handler: async (ctx) => {
        const { group } = ctx.params;
        await ensureGroup(group);
        const topic = dlqTopicOf(group);
        const queue = (await kernel.admin.topicStats(topic))?.queues[0];
        if (!queue) return { status: 200, body: { redriven: 0, results: [] } };
        const wanted = ctx.body.msgIds ? new Set(ctx.body.msgIds) : undefined;
        const consumer = kernel.createPullConsumer({ group: redriveGroupOf(group), consumeFrom: ConsumeFrom.First });
        try {
          const from = wanted ? queue.minOffset : Math.max(await redriveOffset(kernel, group), queue.minOffset);
          const { messages, next } = await readDlq(consumer, topic, from, wanted ? MAX_SCAN : ctx.body.max ?? 1000);
          const chosen = wanted ? messages.filter((m) => wanted.has(m.msgId) || wanted.has(originMsgId(m))) : messages;
          const results = [];
          for (const m of chosen) {
            try {
              const sent = await deps.producer.send(redriveMessage(group, m));
              results.push({ msgId: m.msgId, status: 201, newMsgId: sent.msgId, topic: sent.topic });
            } catch (err) {
              results.push({ msgId: m.msgId, status: toHttpError(err).status, error: toHttpError(err).toBody().error });
            }
          }
          const failedAt = results.findIndex((r) => r.status !== 201);
          if (!wanted) {
            // the marker moves past what was sent, never past the first failure
            const through = failedAt < 0 ? next : chosen[failedAt]!.queueOffset;
            if (through > from) await consumer.commit(topic, 0, through);
          }
          return { status: 200, body: { redriven: results.filter((r) => r.status === 201).length, results } };
        } finally {
          await consumer.shutdown();
        }
      },
    }),
  ];
}
