/**
 * Schema building blocks shared by every API area: names, limits, filters, the error body
 * and the message as delivered.
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

export const Key = { type: 'string', minLength: 1, maxLength: 255, pattern: '^\\S+$' } as const;

export const EpochMsOrDate = {
  oneOf: [
    { type: 'integer', minimum: 0, description: 'epoch milliseconds' },
    { type: 'string', format: 'date-time' },
  ],
} as const;

export const Filter = {
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

// --- messages as delivered -------------------------------------------------------------

export const messageViewProperties = {
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

export const messageViewRequired = [
  'msgId', 'topic', 'queueId', 'queueOffset', 'keys', 'properties', 'body', 'encoding', 'bornTimestamp', 'storeTimestamp', 'reconsumeTimes',
] as const;

export const MessageView = { type: 'object', required: messageViewRequired, properties: messageViewProperties } as const;

export const MessageList = {
  type: 'object', required: ['messages'], properties: { messages: { type: 'array', items: MessageView } },
} as const;
