/**
 * Schemas of messaging: publish, pop-style consumption, server-sent events, webhooks.
 */
import {
  EpochMsOrDate, ErrorResponse, Filter, GroupName, Key, MAX_ACK_HANDLES, MAX_BATCH_ITEMS, MAX_RECEIVE_MESSAGES, MAX_RECEIVE_WAIT_MS,
  messageViewProperties, messageViewRequired, Tag, TopicName,
} from './common.js';

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

export const ReceiptHandles = { type: 'array', minItems: 1, maxItems: MAX_ACK_HANDLES, items: { type: 'string', minLength: 1, maxLength: 1024 } } as const;

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
  properties: {
    receiptHandles: ReceiptHandles,
    invisibleMs: { type: 'integer', minimum: 1, maximum: 12 * 3600 * 1000, description: 'from now; when it passes un-acked the message is redelivered' },
  },
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
