/**
 * Admin API over kernel.admin: topics (create, list with stats, delete), groups (list,
 * members, lag per queue, offset reset to a time), message lookup by id and by key,
 * connections per protocol, and the process's info.
 */
import { KernelError, KernelErrorCode } from '../../../kernel/index.js';
import type { HttpDeps } from '../deps.js';
import { HttpError, HttpErrorCode } from '../errors.js';
import { messageView } from '../message-map.js';
import { route } from '../route.js';
import type { RouteSpec } from '../route.js';
import {
  ConnectionsResponse, CreateTopicRequest, ErrorResponse, GroupInfo, GroupList, GroupName, InfoResponse, MessageList, MessagesByKeyQuery,
  MessageView, QueueLagList, ResetOffsetRequest, TopicInfo, TopicList, TopicListQuery, TopicName, TopicStats,
} from '../schemas.js';

const TopicParams = { type: 'object', required: ['topic'], properties: { topic: TopicName } } as const;
const GroupParams = { type: 'object', required: ['group'], properties: { group: GroupName } } as const;

/** broker-internal topics: retry, dead-letter, schedule, transactions, adapters' own state ($mqtt-*) */
export function isSystemTopic(topic: string): boolean {
  return topic.startsWith('%') || topic.startsWith('$') || topic === 'SCHEDULE_TOPIC_XXXX' || /^rmq_sys_/i.test(topic);
}

function toEpochMs(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

export function adminRoutes(deps: HttpDeps): RouteSpec[] {
  const admin = deps.kernel.admin;
  const topicNotFound = (topic: string): KernelError => new KernelError(KernelErrorCode.TopicNotFound, `topic ${JSON.stringify(topic)} does not exist`);
  const groupNotFound = (group: string): KernelError => new KernelError(KernelErrorCode.GroupNotFound, `group ${JSON.stringify(group)} does not exist`);
  return [
    route<unknown, unknown, CreateTopicRequest>({
      method: 'post', path: '/v1/topics', operationId: 'createTopic', summary: 'Create a topic (or grow its queue count)', tag: 'admin', auth: 'admin-write',
      body: { schema: CreateTopicRequest, required: true },
      responses: { 201: { description: 'created', schema: TopicInfo }, 200: { description: 'existed; updated', schema: TopicInfo } },
      handler: async (ctx) => {
        const existed = (await admin.topicStats(ctx.body.topic)) !== undefined;
        const info = await admin.createTopic(ctx.body);
        return { status: existed ? 200 : 201, body: info };
      },
    }),
    route<unknown, { system: boolean }, unknown>({
      method: 'get', path: '/v1/topics', operationId: 'listTopics', summary: 'Topics with their queue stats', tag: 'admin', auth: 'admin-read',
      query: TopicListQuery,
      responses: { 200: { description: 'topics', schema: TopicList } },
      handler: async (ctx) => {
        const topics = (await admin.listTopics()).filter((t) => ctx.query.system || !isSystemTopic(t.topic));
        const stats = await Promise.all(topics.map((t) => admin.topicStats(t.topic)));
        return { status: 200, body: { topics: stats.filter((s) => s !== undefined).sort((a, b) => (a.topic < b.topic ? -1 : 1)) } };
      },
    }),
    route<{ topic: string }, unknown, unknown>({
      method: 'get', path: '/v1/topics/{topic}', operationId: 'getTopic', summary: 'One topic with its queue stats', tag: 'admin', auth: 'admin-read',
      params: TopicParams,
      responses: { 200: { description: 'the topic', schema: TopicStats }, 404: { description: 'unknown topic', schema: ErrorResponse } },
      handler: async (ctx) => {
        const stats = await admin.topicStats(ctx.params.topic);
        if (!stats) throw topicNotFound(ctx.params.topic);
        return { status: 200, body: stats };
      },
    }),
    route<{ topic: string }, unknown, unknown>({
      method: 'delete', path: '/v1/topics/{topic}', operationId: 'deleteTopic', summary: 'Delete a topic and its messages', tag: 'admin', auth: 'admin-write',
      params: TopicParams,
      responses: { 204: { description: 'deleted' }, 404: { description: 'unknown topic', schema: ErrorResponse } },
      handler: async (ctx) => {
        if (!(await admin.deleteTopic(ctx.params.topic))) throw topicNotFound(ctx.params.topic);
        return { status: 204 };
      },
    }),
    route<{ topic: string }, MessagesByKeyQuery, unknown>({
      method: 'get', path: '/v1/topics/{topic}/messages', operationId: 'messagesByKey', summary: 'Messages of a topic with a key', tag: 'messages', auth: 'topic',
      params: TopicParams, query: MessagesByKeyQuery,
      responses: { 200: { description: 'matching messages, newest index entries first', schema: MessageList } },
      handler: async (ctx) => {
        ctx.authorize('subscribe', ctx.params.topic);
        const found = await admin.queryMessagesByKey({ topic: ctx.params.topic, key: ctx.query.key, max: ctx.query.max });
        return { status: 200, body: { messages: found.map(messageView) } };
      },
    }),
    route<{ msgId: string }, unknown, unknown>({
      method: 'get', path: '/v1/messages/{msgId}', operationId: 'getMessage', summary: 'A message by its id', tag: 'messages', auth: 'topic',
      params: { type: 'object', required: ['msgId'], properties: { msgId: { type: 'string', minLength: 1, maxLength: 128 } } },
      responses: { 200: { description: 'the message', schema: MessageView }, 404: { description: 'no such message', schema: ErrorResponse } },
      handler: async (ctx) => {
        const message = await admin.viewMessage(ctx.params.msgId);
        if (!message) throw new HttpError(HttpErrorCode.MessageNotFound, `message ${JSON.stringify(ctx.params.msgId)} not found`);
        ctx.authorize('subscribe', message.topic);
        return { status: 200, body: messageView(message) };
      },
    }),
    route({
      method: 'get', path: '/v1/groups', operationId: 'listGroups', summary: 'Consumer groups with their members', tag: 'admin', auth: 'admin-read',
      responses: { 200: { description: 'groups', schema: GroupList } },
      handler: async () => ({ status: 200, body: { groups: (await admin.listGroups()).sort((a, b) => (a.group < b.group ? -1 : 1)) } }),
    }),
    route<{ group: string }, unknown, unknown>({
      method: 'get', path: '/v1/groups/{group}', operationId: 'getGroup', summary: 'A group and its members', tag: 'admin', auth: 'admin-read',
      params: GroupParams,
      responses: { 200: { description: 'the group', schema: GroupInfo }, 404: { description: 'unknown group', schema: ErrorResponse } },
      handler: async (ctx) => {
        const group = await admin.getGroup(ctx.params.group);
        if (!group) throw groupNotFound(ctx.params.group);
        return { status: 200, body: group };
      },
    }),
    route<{ group: string }, unknown, unknown>({
      method: 'delete', path: '/v1/groups/{group}', operationId: 'deleteGroup', summary: 'Delete a group and its offsets', tag: 'admin', auth: 'admin-write',
      params: GroupParams,
      responses: { 204: { description: 'deleted' }, 404: { description: 'unknown group', schema: ErrorResponse } },
      handler: async (ctx) => {
        if (!(await admin.deleteGroup(ctx.params.group))) throw groupNotFound(ctx.params.group);
        return { status: 204 };
      },
    }),
    route<{ group: string }, unknown, unknown>({
      method: 'get', path: '/v1/groups/{group}/lag', operationId: 'groupLag', summary: 'Committed offset and lag per queue', tag: 'admin', auth: 'admin-read',
      params: GroupParams,
      responses: { 200: { description: 'lag per queue', schema: QueueLagList }, 404: { description: 'unknown group', schema: ErrorResponse } },
      handler: async (ctx) => {
        if (!(await admin.getGroup(ctx.params.group))) throw groupNotFound(ctx.params.group);
        const queues = await admin.groupLag(ctx.params.group);
        return { status: 200, body: { totalLag: queues.reduce((n, q) => n + q.lag, 0), queues } };
      },
    }),
    route<{ group: string }, unknown, ResetOffsetRequest>({
      method: 'post', path: '/v1/groups/{group}/offsets/reset', operationId: 'resetOffsets', summary: 'Move a group\'s offsets on a topic to a time', tag: 'admin', auth: 'admin-write',
      params: GroupParams, body: { schema: ResetOffsetRequest, required: true },
      responses: { 200: { description: 'the new offsets', schema: QueueLagList }, 404: { description: 'unknown group or topic', schema: ErrorResponse } },
      handler: async (ctx) => {
        if (!(await admin.getGroup(ctx.params.group))) throw groupNotFound(ctx.params.group);
        const queues = await admin.resetOffset({ group: ctx.params.group, topic: ctx.body.topic, timestamp: toEpochMs(ctx.body.timestamp) });
        return { status: 200, body: { totalLag: queues.reduce((n, q) => n + q.lag, 0), queues } };
      },
    }),
    route({
      method: 'get', path: '/v1/connections', operationId: 'connections', summary: 'Connections and message counts per protocol', tag: 'admin', auth: 'admin-read',
      responses: { 200: { description: 'per protocol', schema: ConnectionsResponse } },
      handler: async () => {
        const own = deps.stats();
        const protocols = { ...deps.config.extraStats?.(), http: { connections: own.connections, messagesIn: own.messagesIn, messagesOut: own.messagesOut } };
        return { status: 200, body: { protocols } };
      },
    }),
    route({
      method: 'get', path: '/v1/info', operationId: 'info', summary: 'Version, uptime, flush mode and configuration', tag: 'admin', auth: 'admin-read',
      responses: { 200: { description: 'process information', schema: InfoResponse } },
      handler: async () => ({ status: 200, body: deps.config.info?.() ?? {} }),
    }),
  ];
}
