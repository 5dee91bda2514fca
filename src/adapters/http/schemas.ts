/**
 * JSON Schemas (2020-12, the dialect of OpenAPI 3.1) of every request and response of the
 * HTTP API. Requests are validated against them with ajv (validate.ts) and the OpenAPI
 * document (openapi.ts) publishes the very same objects under components.schemas, so the
 * document cannot drift from what the server enforces.
 *
 * Schemas are written inline (no $ref between them) so each compiles alone; the TypeScript
 * interfaces next to them are the validated shapes the handlers receive.
 */
export type JsonSchema = Record<string, unknown>;

export const MAX_BATCH_ITEMS = 1000;
export const MAX_RECEIVE_MESSAGES = 32;
export const MAX_RECEIVE_WAIT_MS = 30_000;
export const MAX_ACK_HANDLES = 100;

// --- names ---------------------------------------------------------------------------

/** DESIGN.md §3: UTF-8 without `/ + #` or control characters, at most 127 bytes (the kernel checks bytes). */
export const TopicName = {
  type: 'string', minLength: 1, maxLength: 127, pattern: '^[^/+#\\u0000-\\u001f\\u007f]+$',
  description: 'kernel topic (first path level)',
} as const;

export const GroupName = {
  type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/+#\\u0000-\\u001f\\u007f]+$',
  description: 'consumer group',
} as const;

/** One tag: the second path level. No `||` (tag-expression separator), no path characters. */
export const Tag = {
  type: 'string', minLength: 1, maxLength: 255, pattern: '^(?!\\*$)(?!.*\\|\\|)[^/+#\\u0000-\\u001f\\u007f]+$',
} as const;

const Key = { type: 'string', minLength: 1, maxLength: 255, pattern: '^\\S+$' } as const;

const EpochMsOrDate = {
  oneOf: [
    { type: 'integer', minimum: 0, description: 'epoch milliseconds' },
    { type: 'string', format: 'date-time' },
  ],
} as const;

const Filter = {
  tagExpression: { type: 'string', minLength: 1, maxLength: 1024, description: 'tag expression: `a || b`, `*`' },
  selector: { type: 'string', minLength: 1, maxLength: 4096, description: 'SQL92 selector over properties and TAGS' },
} as const;

// --- errors --------------------------------------------------------------------------

export const ErrorResponse = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'stable error code (see errors.ts)' },
        message: { type: 'string' },
        details: {},
      },
    },
  },
} as const;

// --- publish -------------------------------------------------------------------------

export const PublishRequest = {
  type: 'object',
  required: ['body'],
  additionalProperties: false,
  description: 'One message. `delayMs` and `deliverAt` exclude each other.',
  properties: {
    body: {
      description: 'string (utf8 or base64 per `encoding`); any other JSON value is sent as JSON text with contentType application/json',
    },
    encoding: { type: 'string', enum: ['utf8', 'base64'], description: 'of a string body; default utf8' },
    tag: Tag,
    path: { type: 'string', minLength: 1, maxLength: 1024, description: 'full path; its first level must be the topic, its second the tag' },
    keys: { type: 'array', items: Key, maxItems: 32 },
    properties: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 128 },
    contentType: { type: 'string', minLength: 1, maxLength: 255 },
    shardingKey: { type: 'string', minLength: 1, maxLength: 255, description: 'message group: same key, same queue, FIFO' },
    delayMs: { type: 'integer', minimum: 0, maximum: 40 * 24 * 3600 * 1000 },
    deliverAt: EpochMsOrDate,
    ttlMs: { type: 'integer', minimum: 1 },
    priority: { type: 'integer', minimum: 0, maximum: 9 },
    correlationId: { type: 'string', maxLength: 255 },
    replyTo: { type: 'string', maxLength: 1024 },
  },
} as const;

export interface PublishRequest {
  body: unknown;
  encoding?: 'utf8' | 'base64';
  tag?: string;
  path?: string;
  keys?: string[];
  properties?: Record<string, string>;
  contentType?: string;
  shardingKey?: string;
  delayMs?: number;
  deliverAt?: number | string;
  ttlMs?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
}

export const PublishBody = {
  oneOf: [
    PublishRequest,
    { type: 'array', minItems: 1, maxItems: MAX_BATCH_ITEMS, items: PublishRequest, description: 'batch: each item gets its own status' },
  ],
} as const;

export const PublishResult = {
  type: 'object',
  required: ['msgId', 'topic', 'queueId', 'queueOffset'],
  properties: {
    msgId: { type: 'string' },
    topic: { type: 'string' },
    queueId: { type: 'integer' },
    queueOffset: { type: 'integer' },
  },
} as const;

export const BatchResult = {
  type: 'object',
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'status'],
        properties: {
          index: { type: 'integer' },
          status: { type: 'integer', description: 'HTTP status this item alone would have had' },
          msgId: { type: 'string' },
          topic: { type: 'string' },
          queueId: { type: 'integer' },
          queueOffset: { type: 'integer' },
          error: ErrorResponse.properties.error,
        },
      },
    },
  },
} as const;

// --- messages as delivered -------------------------------------------------------------

const messageViewProperties = {
  msgId: { type: 'string' },
  topic: { type: 'string' },
  queueId: { type: 'integer' },
  queueOffset: { type: 'integer' },
  tag: { type: 'string' },
  path: { type: 'string' },
  keys: { type: 'array', items: { type: 'string' } },
  properties: { type: 'object', additionalProperties: { type: 'string' } },
  contentType: { type: 'string' },
  body: { type: 'string' },
  encoding: { type: 'string', enum: ['utf8', 'base64'], description: 'utf8 when the bytes are valid UTF-8, base64 otherwise' },
  shardingKey: { type: 'string' },
  bornTimestamp: { type: 'integer' },
  storeTimestamp: { type: 'integer' },
  deliverAt: { type: 'integer' },
  expireAt: { type: 'integer' },
  priority: { type: 'integer' },
  correlationId: { type: 'string' },
  replyTo: { type: 'string' },
  reconsumeTimes: { type: 'integer' },
} as const;

const messageViewRequired = [
  'msgId', 'topic', 'queueId', 'queueOffset', 'keys', 'properties', 'body', 'encoding', 'bornTimestamp', 'storeTimestamp', 'reconsumeTimes',
] as const;

export const MessageView = { type: 'object', required: messageViewRequired, properties: messageViewProperties } as const;

export const MessageList = {
  type: 'object', required: ['messages'], properties: { messages: { type: 'array', items: MessageView } },
} as const;

// --- pop-style consumption ------------------------------------------------------------

export const ReceiveRequest = {
  type: 'object',
  additionalProperties: false,
  description: '`tagExpression` and `selector` exclude each other',
  properties: {
    max: { type: 'integer', minimum: 1, maximum: MAX_RECEIVE_MESSAGES, default: 1 },
    waitMs: { type: 'integer', minimum: 0, maximum: MAX_RECEIVE_WAIT_MS, default: 0 },
    invisibleMs: { type: 'integer', minimum: 1000, maximum: 12 * 3600 * 1000, default: 30_000 },
    ...Filter,
  },
} as const;

export interface ReceiveRequest {
  max?: number;
  waitMs?: number;
  invisibleMs?: number;
  tagExpression?: string;
  selector?: string;
}

export const ReceiveResponse = {
  type: 'object',
  required: ['messages'],
  properties: {
    messages: {
      type: 'array',
      items: { type: 'object', required: [...messageViewRequired, 'receiptHandle'], properties: { ...messageViewProperties, receiptHandle: { type: 'string' }, invisibleUntil: { type: 'integer' } } },
    },
  },
} as const;

const ReceiptHandles = { type: 'array', minItems: 1, maxItems: MAX_ACK_HANDLES, items: { type: 'string', minLength: 1, maxLength: 1024 } } as const;

export const AckRequest = {
  type: 'object', required: ['receiptHandles'], additionalProperties: false, properties: { receiptHandles: ReceiptHandles },
} as const;
export interface AckRequest { receiptHandles: string[] }

export const NackRequest = {
  type: 'object',
  required: ['receiptHandles'],
  additionalProperties: false,
  properties: {
    receiptHandles: ReceiptHandles,
    delayMs: { type: 'integer', minimum: 0, maximum: 12 * 3600 * 1000, description: 'redeliver after this long (default: at once)' },
  },
} as const;
export interface NackRequest { receiptHandles: string[]; delayMs?: number }

export const VisibilityRequest = {
  type: 'object',
  required: ['receiptHandles', 'invisibleMs'],
  additionalProperties: false,
  properties: { receiptHandles: ReceiptHandles, invisibleMs: { type: 'integer', minimum: 0, maximum: 12 * 3600 * 1000 } },
} as const;
export interface VisibilityRequest { receiptHandles: string[]; invisibleMs: number }

export const HandleResults = {
  type: 'object',
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['receiptHandle', 'status'],
        properties: {
          receiptHandle: { type: 'string' },
          status: { type: 'integer' },
          newReceiptHandle: { type: 'string', description: 'visibility: the handle to use from now on' },
          error: ErrorResponse.properties.error,
        },
      },
    },
  },
} as const;

// --- server-sent events ----------------------------------------------------------------

export const EventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    group: { ...GroupName, description: 'named consumer group (clustering, offsets kept); default a group per connection' },
    from: { type: 'string', enum: ['last', 'first'], default: 'last', description: 'start of a new group' },
    ...Filter,
  },
} as const;
export interface EventsQuery { group?: string; from?: 'last' | 'first'; tagExpression?: string; selector?: string }

// --- webhooks --------------------------------------------------------------------------

export const WebhookCreateRequest = {
  type: 'object',
  required: ['topic', 'url'],
  additionalProperties: false,
  properties: {
    topic: TopicName,
    ...Filter,
    url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
    secret: {
      type: 'string', minLength: 16, maxLength: 256,
      description: 'HMAC key; `whsec_<base64>` is decoded as Standard Webhooks secrets are; generated when absent',
    },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
    ordered: { type: 'boolean', default: false, description: 'keep per-sharding-key order (one in flight per queue)' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120_000 },
  },
} as const;
export interface WebhookCreateRequest {
  topic: string;
  tagExpression?: string;
  selector?: string;
  url: string;
  secret?: string;
  maxAttempts?: number;
  ordered?: boolean;
  timeoutMs?: number;
}

const webhookViewProperties = {
  id: { type: 'string' },
  topic: { type: 'string' },
  tagExpression: { type: 'string' },
  selector: { type: 'string' },
  url: { type: 'string' },
  maxAttempts: { type: 'integer' },
  ordered: { type: 'boolean' },
  timeoutMs: { type: 'integer' },
  group: { type: 'string', description: 'consumer group delivering it; dead letters at %DLQ%<group>' },
  owner: { type: 'string' },
  createdAt: { type: 'integer' },
} as const;
const webhookViewRequired = ['id', 'topic', 'url', 'maxAttempts', 'ordered', 'timeoutMs', 'group', 'createdAt'] as const;

export const WebhookView = { type: 'object', required: webhookViewRequired, properties: webhookViewProperties } as const;
export const WebhookCreated = {
  type: 'object',
  required: [...webhookViewRequired, 'secret'],
  properties: { ...webhookViewProperties, secret: { type: 'string', description: 'shown only in this response' } },
} as const;
export const WebhookList = { type: 'object', required: ['webhooks'], properties: { webhooks: { type: 'array', items: WebhookView } } } as const;

export const InboundHookQuery = {
  type: 'object', additionalProperties: false, properties: { tag: Tag },
} as const;

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

/** Names under which the schemas appear in the OpenAPI document's components. */
export const COMPONENT_SCHEMAS: Record<string, JsonSchema> = {
  ErrorResponse, PublishRequest, PublishBody, PublishResult, BatchResult, MessageView, MessageList,
  ReceiveRequest, ReceiveResponse, AckRequest, NackRequest, VisibilityRequest, HandleResults,
  WebhookCreateRequest, WebhookView, WebhookCreated, WebhookList,
  CreateTopicRequest, TopicInfo, TopicStats, TopicList, GroupInfo, GroupList, QueueLagList, ResetOffsetRequest,
  DeadLetterList, RedriveRequest, RedriveResponse, ConnectionsResponse, HealthResponse, InfoResponse,
};
