/**
 * RocketMQ 5 gRPC Message ↔ kernel Message (DESIGN.md §5), the RocketMQ column:
 *
 *   topic (Resource)                  ↔ topic (`{namespace}%{name}` when a namespace is given)
 *   system_properties.tag             ↔ tag (the second path level: no `/ + #`, no `||`)
 *   system_properties.keys            ↔ keys
 *   user_properties                   ↔ properties
 *   system_properties.message_group   ↔ shardingKey (same group = same queue = FIFO)
 *   system_properties.delivery_timestamp ↔ deliverAt
 *   system_properties.message_id      ↔ uniqueId, so the message keeps the client's id as its
 *                                        msgId (admin lookup, duplicates) on every protocol
 *   system_properties.born_timestamp  ↔ bornTimestamp;  priority ↔ priority (0..9)
 *   born_host, trace_context          ↔ properties `rocketmq.bornHost`, `rocketmq.traceContext`
 *   body (IDENTITY or GZIP)           ↔ body (stored uncompressed, so other protocols read it)
 *
 * First-class kernel fields with no RocketMQ slot travel as user properties under their
 * reserved names, both ways: CONTENT_TYPE, CORRELATION_ID, REPLY_TO, EXPIRE_AT (epoch ms),
 * PATH (full MQTT/STOMP path). Any other reserved name is refused.
 *
 * Out, every message also carries what the proxy writes: message type, MD5 body digest,
 * store time and host, queue id and offset, delivery attempt (reconsumeTimes + 1), and,
 * when received by pop, its receipt handle and invisible duration.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Message, StoredMessage } from '../../kernel/index.js';
import { PropertyName, isReservedProperty } from '../../kernel/index.js';
import { Code, RocketMqError } from './errors.js';
import { type GrpcMessage, type Resource, type SystemProperties, timestampMs, toDuration, toTimestamp } from './proto.js';

export const MessageType = {
  Unspecified: 'MESSAGE_TYPE_UNSPECIFIED',
  Normal: 'NORMAL',
  Fifo: 'FIFO',
  Delay: 'DELAY',
  Transaction: 'TRANSACTION',
  Lite: 'LITE',
  Priority: 'PRIORITY',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** reserved names that carry first-class fields as user properties */
export const FieldProperty = {
  ContentType: PropertyName.ContentType,
  CorrelationId: PropertyName.CorrelationId,
  ReplyTo: PropertyName.ReplyTo,
  ExpireAt: PropertyName.ExpireAt,
  Path: PropertyName.Path,
} as const;
const FIELD_PROPERTIES = new Set<string>(Object.values(FieldProperty));

/** RocketMQ-only fields, kept as namespaced properties (shown natively again on the way out) */
export const RocketMqProperty = {
  BornHost: 'rocketmq.bornHost',
  TraceContext: 'rocketmq.traceContext',
} as const;

export const MAX_MESSAGE_ID_LENGTH = 128;
export const MAX_MESSAGE_GROUP_LENGTH = 128;
/** the furthest a delivery timestamp may lie ahead */
export const MAX_DELAY_MS = 40 * 24 * 3_600_000;
/** RocketMQ's namespace separator (NamespaceUtil) */
export const NAMESPACE_SEPARATOR = '%';

// eslint-disable-next-line no-control-regex
const TAG_FORBIDDEN = /[/+#\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;
/** the kernel's stored-properties separators, refused in values */
// eslint-disable-next-line no-control-regex
const SEPARATORS = /[\u0001\u0002]/;

/** `namespace` applies when the resource names none (clients set it on some requests only) */
export function kernelName(resource: Resource | undefined, namespace = ''): string {
  const name = resource?.name ?? '';
  const ns = resource?.resourceNamespace || namespace;
  return ns === '' ? name : `${ns}${NAMESPACE_SEPARATOR}${name}`;
}

export function grpcResource(kernel: string, namespace = ''): Resource {
  const prefix = namespace === '' ? '' : `${namespace}${NAMESPACE_SEPARATOR}`;
  return prefix !== '' && kernel.startsWith(prefix)
    ? { resourceNamespace: namespace, name: kernel.slice(prefix.length) }
    : { resourceNamespace: '', name: kernel };
}

export interface InboundContext {
  maxMessageSize: number;
  namespace?: string;
  now: number;
}

export interface Inbound {
  message: Message;
  type: MessageType;
}

function fail(code: Code, message: string): never {
  throw new RocketMqError(code, message);
}

function bodyOf(m: GrpcMessage, sp: SystemProperties, maxSize: number): Buffer {
  let body = m.body ?? Buffer.alloc(0);
  if (sp.bodyEncoding === 'GZIP') {
    try {
      body = gunzipSync(body, { maxOutputLength: maxSize + 1 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') fail(Code.MessageBodyTooLarge, `message body exceeds ${maxSize} bytes once decompressed`);
      fail(Code.MessageCorrupted, 'message body is not valid gzip');
    }
  }
  if (body.length > maxSize) fail(Code.MessageBodyTooLarge, `message body of ${body.length} bytes exceeds the limit of ${maxSize} bytes`);
  if (body.length === 0) fail(Code.MessageBodyEmpty, 'message body is empty');
  return body;
}

function checkTag(tag: string): void {
  if (tag === '' || tag.trim() === '' || tag === '*' || tag.includes('||') || TAG_FORBIDDEN.test(tag)) {
    fail(Code.IllegalMessageTag, `tag ${JSON.stringify(tag)} is not valid: non-empty, not "*", without "||", "/", "+", "#" or control characters`);
  }
}

/** the message type the client declared, checked against the fields it set (as the proxy does) */
function typeOf(sp: SystemProperties): MessageType {
  const declared = (sp.messageType ?? MessageType.Unspecified) as MessageType;
  const group = sp.messageGroup !== undefined;
  const delayed = sp.deliveryTimestamp !== undefined;
  const conflict = (why: string): never => fail(Code.MessagePropertyConflictWithType, `message type ${declared} ${why}`);
  switch (declared) {
    case MessageType.Unspecified:
      return group ? MessageType.Fifo : delayed ? MessageType.Delay : MessageType.Normal;
    case MessageType.Normal:
    case MessageType.Priority:
      if (group || delayed) conflict('cannot have a message group or a delivery timestamp');
      return declared;
    case MessageType.Fifo:
      if (!group) conflict('needs a message group');
      if (delayed) conflict('cannot have a delivery timestamp');
      return declared;
    case MessageType.Delay:
      if (!delayed) conflict('needs a delivery timestamp');
      if (group) conflict('cannot have a message group');
      return declared;
    case MessageType.Transaction:
      if (group || delayed) conflict('cannot have a message group or a delivery timestamp');
      return declared;
    case MessageType.Lite:
      return fail(Code.Unsupported, 'lite topics are not supported by this server');
    default:
      return fail(Code.BadRequest, `unknown message type ${JSON.stringify(declared)}`);
  }
}

function applyUserProperties(message: Message, props: Record<string, string>): void {
  const user: Record<string, string> = {};
  for (const [name, value] of Object.entries(props)) {
    if (name === '' || CONTROL.test(name) || SEPARATORS.test(value)) {
      fail(Code.IllegalMessagePropertyKey, `property ${JSON.stringify(name)} is empty or contains a control character`);
    }
    if (FIELD_PROPERTIES.has(name)) continue;
    if (isReservedProperty(name)) fail(Code.IllegalMessagePropertyKey, `property name ${JSON.stringify(name)} is reserved`);
    user[name] = value;
  }
  if (Object.keys(user).length > 0) message.properties = user;
  const field = (name: string): string | undefined => props[name];
  const contentType = field(FieldProperty.ContentType);
  if (contentType !== undefined) message.contentType = contentType;
  const correlationId = field(FieldProperty.CorrelationId);
  if (correlationId !== undefined) message.correlationId = correlationId;
  const replyTo = field(FieldProperty.ReplyTo);
  if (replyTo !== undefined) message.replyTo = replyTo;
  const expireAt = field(FieldProperty.ExpireAt);
  if (expireAt !== undefined) {
    if (!/^\d{1,16}$/.test(expireAt)) fail(Code.IllegalMessagePropertyKey, `${FieldProperty.ExpireAt} must be epoch milliseconds, got ${JSON.stringify(expireAt)}`);
    message.expireAt = Number(expireAt);
  }
  const path = field(FieldProperty.Path);
  if (path !== undefined) {
    const levels = path.split('/');
    if (levels[0] !== message.topic) fail(Code.IllegalMessagePropertyKey, `${FieldProperty.Path} must start with the topic ${JSON.stringify(message.topic)}`);
    const second = levels[1];
    if (second !== undefined && second !== '') {
      if (message.tag !== undefined && message.tag !== second) fail(Code.IllegalMessageTag, `${FieldProperty.Path} level 2 ${JSON.stringify(second)} differs from the tag ${JSON.stringify(message.tag)}`);
      message.tag = second;
    }
    message.path = path;
  }
}

/** one message of a SendMessageRequest → the kernel Message; throws RocketMqError for bad input */
export function messageFromGrpc(m: GrpcMessage, ctx: InboundContext): Inbound {
  const topic = kernelName(m.topic, ctx.namespace);
  if (topic === '') fail(Code.IllegalTopic, 'message topic is required');
  const sp = m.systemProperties ?? {};
  const type = typeOf(sp);
  const message: Message = { topic, body: bodyOf(m, sp, ctx.maxMessageSize) };
  if (sp.tag !== undefined) {
    checkTag(sp.tag);
    message.tag = sp.tag;
  }
  const keys = sp.keys ?? [];
  for (const key of keys) if (key === '' || WHITESPACE_OR_CONTROL.test(key)) fail(Code.IllegalMessageKey, `key ${JSON.stringify(key)} is empty or contains whitespace`);
  if (keys.length > 0) message.keys = keys;
  if (sp.messageId) {
    if (sp.messageId.length > MAX_MESSAGE_ID_LENGTH || WHITESPACE_OR_CONTROL.test(sp.messageId)) fail(Code.IllegalMessageId, `message id ${JSON.stringify(sp.messageId)} is not valid`);
    message.uniqueId = sp.messageId;
  }
  if (sp.messageGroup !== undefined) {
    if (sp.messageGroup === '' || sp.messageGroup.length > MAX_MESSAGE_GROUP_LENGTH || CONTROL.test(sp.messageGroup)) {
      fail(Code.IllegalMessageGroup, `message group must be 1 to ${MAX_MESSAGE_GROUP_LENGTH} characters without control characters`);
    }
    message.shardingKey = sp.messageGroup;
  }
  const deliverAt = timestampMs(sp.deliveryTimestamp);
  if (deliverAt !== undefined) {
    if (deliverAt > ctx.now + MAX_DELAY_MS) fail(Code.IllegalDeliveryTime, `delivery timestamp lies more than ${MAX_DELAY_MS / 86_400_000} days ahead`);
    if (deliverAt > ctx.now) message.deliverAt = deliverAt;
  }
  if (sp.priority !== undefined) {
    if (!Number.isInteger(sp.priority) || sp.priority < 0 || sp.priority > 9) fail(Code.BadRequest, `priority must be 0 to 9, got ${sp.priority}`);
    message.priority = sp.priority;
  }
  message.bornTimestamp = timestampMs(sp.bornTimestamp) ?? ctx.now;
  applyUserProperties(message, m.userProperties ?? {});
  const native: Record<string, string> = {};
  if (sp.bornHost) native[RocketMqProperty.BornHost] = sp.bornHost;
  if (sp.traceContext) native[RocketMqProperty.TraceContext] = sp.traceContext;
  if (Object.keys(native).length > 0) message.properties = { ...message.properties, ...native };
  return { message, type };
}

export interface OutboundContext {
  /** the client's namespace: topics under it are shown without the prefix */
  namespace?: string;
  /** shown as store_host */
  storeHost: string;
  receiptHandle?: string;
  invisibleMs?: number;
}

function typeOfStored(m: StoredMessage): MessageType {
  if ((m.sysFlag & 0xc) === 0x8) return MessageType.Transaction;
  if (m.deliverAt !== undefined || m.delayLevel) return MessageType.Delay;
  if (m.shardingKey !== undefined) return MessageType.Fifo;
  return MessageType.Normal;
}

export function md5Hex(body: Buffer): string {
  return createHash('md5').update(body).digest('hex').toUpperCase();
}

/** a stored (or received) kernel message → the gRPC Message a RocketMQ client reads */
export function messageToGrpc(m: StoredMessage, ctx: OutboundContext): GrpcMessage {
  const { [RocketMqProperty.BornHost]: bornHost, [RocketMqProperty.TraceContext]: traceContext, ...userProperties } = m.properties ?? {};
  if (m.contentType !== undefined) userProperties[FieldProperty.ContentType] = m.contentType;
  if (m.correlationId !== undefined) userProperties[FieldProperty.CorrelationId] = m.correlationId;
  if (m.replyTo !== undefined) userProperties[FieldProperty.ReplyTo] = m.replyTo;
  if (m.expireAt !== undefined) userProperties[FieldProperty.ExpireAt] = String(m.expireAt);
  if (m.path !== undefined) userProperties[FieldProperty.Path] = m.path;
  const sp: SystemProperties = {
    keys: m.keys ?? [],
    messageId: m.msgId,
    bodyDigest: { type: 'MD5', checksum: md5Hex(m.body) },
    bodyEncoding: 'IDENTITY',
    messageType: typeOfStored(m),
    bornTimestamp: toTimestamp(m.bornTimestamp),
    bornHost: bornHost ?? '',
    storeTimestamp: toTimestamp(m.storeTimestamp),
    storeHost: ctx.storeHost,
    queueId: m.queueId,
    queueOffset: m.queueOffset,
    deliveryAttempt: m.reconsumeTimes + 1,
  };
  if (m.tag !== undefined) sp.tag = m.tag;
  if (traceContext !== undefined) sp.traceContext = traceContext;
  if (m.shardingKey !== undefined) sp.messageGroup = m.shardingKey;
  if (m.deliverAt !== undefined) sp.deliveryTimestamp = toTimestamp(m.deliverAt);
  if (m.priority !== undefined) sp.priority = m.priority;
  if (ctx.receiptHandle !== undefined) sp.receiptHandle = ctx.receiptHandle;
  if (ctx.invisibleMs !== undefined) sp.invisibleDuration = toDuration(ctx.invisibleMs);
  const dlqOrigin = m.systemProperties?.DLQ_ORIGIN_TOPIC;
  if (dlqOrigin !== undefined) sp.deadLetterQueue = { topic: dlqOrigin, messageId: m.systemProperties?.[PropertyName.OriginMessageId] ?? m.msgId };
  return { topic: grpcResource(m.topic, ctx.namespace), userProperties, systemProperties: sp, body: m.body };
}
