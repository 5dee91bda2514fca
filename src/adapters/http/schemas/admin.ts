/**
 * Schemas of the admin and operations API.
 */
import { EpochMsOrDate, ErrorResponse, messageViewProperties, messageViewRequired, TopicName } from './common.js';

// --- admin -----------------------------------------------------------------------------

export const CreateTopicRequest = {
  type: 'object',
  required: ['topic'],
  additionalProperties: false,
  properties: { topic: TopicName, queueCount: { type: 'integer', minimum: 1, maximum: 1024 }, order: { type: 'boolean' } },
} as const;
export interface CreateTopicRequest { topic: string; queueCount?: number; order?: boolean }

const topicInfoProperties = {
  topic: { type: 'string' },
  queueCount: { type: 'integer' },
  perm: { type: 'integer' },
  order: { type: 'boolean' },
  createdAt: { type: 'integer' },
} as const;

export const TopicInfo = { type: 'object', required: ['topic', 'queueCount', 'perm', 'order', 'createdAt'], properties: topicInfoProperties } as const;

export const TopicStats = {
  type: 'object',
  required: ['topic', 'queueCount', 'perm', 'order', 'createdAt', 'queues', 'messageCount'],
  properties: {
    ...topicInfoProperties,
    messageCount: { type: 'integer' },
    queues: {
      type: 'array',
      items: {
        type: 'object',
        required: ['queueId', 'minOffset', 'maxOffset', 'lastStoreTimestamp'],
        properties: { queueId: { type: 'integer' }, minOffset: { type: 'integer' }, maxOffset: { type: 'integer' }, lastStoreTimestamp: { type: 'integer' } },
      },
    },
  },
} as const;

export const TopicList = { type: 'object', required: ['topics'], properties: { topics: { type: 'array', items: TopicStats } } } as const;
export const TopicListQuery = {
  type: 'object', additionalProperties: false, properties: { system: { type: 'boolean', default: false, description: 'include system topics (%RETRY%, %DLQ%, ...)' } },
} as const;

const Subscription = {
  type: 'object',
  required: ['topic', 'filter'],
  properties: { topic: { type: 'string' }, filter: { type: 'object', required: ['type', 'expression'], properties: { type: { type: 'string' }, expression: { type: 'string' } } } },
} as const;

export const GroupInfo = {
  type: 'object',
  required: ['group', 'messageModel', 'consumeFrom', 'orderly', 'maxReconsumeTimes', 'members'],
  properties: {
    group: { type: 'string' },
    messageModel: { type: 'string' },
    consumeFrom: { type: 'string' },
    consumeTimestamp: { type: 'integer' },
    orderly: { type: 'boolean' },
    maxReconsumeTimes: { type: 'integer' },
    members: {
      type: 'array',
      items: {
        type: 'object',
        required: ['clientId', 'protocol', 'lastHeartbeat', 'subscriptions'],
        properties: { clientId: { type: 'string' }, protocol: { type: 'string' }, lastHeartbeat: { type: 'integer' }, subscriptions: { type: 'array', items: Subscription } },
      },
    },
  },
} as const;
export const GroupList = { type: 'object', required: ['groups'], properties: { groups: { type: 'array', items: GroupInfo } } } as const;

export const QueueLagList = {
  type: 'object',
  required: ['queues', 'totalLag'],
  properties: {
    totalLag: { type: 'integer' },
    queues: {
      type: 'array',
      items: {
        type: 'object',
        required: ['topic', 'queueId', 'brokerOffset', 'consumerOffset', 'lag'],
        properties: { topic: { type: 'string' }, queueId: { type: 'integer' }, brokerOffset: { type: 'integer' }, consumerOffset: { type: 'integer' }, lag: { type: 'integer' } },
      },
    },
  },
} as const;

export const ResetOffsetRequest = {
  type: 'object', required: ['topic', 'timestamp'], additionalProperties: false, properties: { topic: TopicName, timestamp: EpochMsOrDate },
} as const;
export interface ResetOffsetRequest { topic: string; timestamp: number | string }

export const MessagesByKeyQuery = {
  type: 'object', required: ['key'], additionalProperties: false,
  properties: { key: { type: 'string', minLength: 1 }, max: { type: 'integer', minimum: 1, maximum: 1000, default: 64 } },
} as const;
export interface MessagesByKeyQuery { key: string; max?: number }

export const DeadLetterQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    max: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, description: 'first dead-letter queue offset to list (default: the oldest kept)' },
  },
} as const;
export interface DeadLetterQuery { max: number; offset?: number }

export const DeadLetterList = {
  type: 'object',
  required: ['topic', 'messages', 'nextOffset'],
  properties: {
    topic: { type: 'string' },
    nextOffset: { type: 'integer', description: 'offset to list from next' },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        required: [...messageViewRequired, 'originTopic', 'redriven'],
        properties: {
          ...messageViewProperties,
          originTopic: { type: 'string' },
          originMsgId: { type: 'string' },
          redriven: { type: 'boolean', description: 'already sent back by a re-drive' },
        },
      },
    },
  },
} as const;

export const RedriveRequest = {
  type: 'object', additionalProperties: false,
  properties: {
    msgIds: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string' }, description: 'these dead letters (again, even when already re-driven); default all not yet re-driven' },
    max: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
  },
} as const;
export interface RedriveRequest { msgIds?: string[]; max?: number }

export const RedriveResponse = {
  type: 'object',
  required: ['redriven', 'results'],
  properties: {
    redriven: { type: 'integer' },
    results: {
      type: 'array',
      items: {
        type: 'object', required: ['msgId', 'status'],
        properties: { msgId: { type: 'string' }, status: { type: 'integer' }, newMsgId: { type: 'string' }, topic: { type: 'string' }, error: ErrorResponse.properties.error },
      },
    },
  },
} as const;

const ProtocolStats = {
  type: 'object', required: ['connections', 'messagesIn', 'messagesOut'],
  properties: { connections: { type: 'integer' }, messagesIn: { type: 'integer' }, messagesOut: { type: 'integer' } },
} as const;
export const ConnectionsResponse = {
  type: 'object', required: ['protocols'], properties: { protocols: { type: 'object', additionalProperties: ProtocolStats } },
} as const;

export const HealthResponse = {
  type: 'object',
  required: ['status', 'listeners'],
  properties: { status: { type: 'string', enum: ['ok', 'unavailable'] }, listeners: { type: 'object', additionalProperties: { type: 'boolean' } } },
} as const;

export const InfoResponse = { type: 'object', additionalProperties: true } as const;
