/**
 * HTTP ↔ kernel Message, the HTTP column of DESIGN.md §5:
 *   topic = URL path segment, tag = field `tag` (or X-Message-Tag), full path = field `path`,
 *   properties = `properties` object (or X-Message-Property-<name> headers), contentType =
 *   field `contentType` (or the raw request's Content-Type), shardingKey, keys, ttlMs → expireAt,
 *   delayMs / deliverAt → deliverAt.
 * Out: the body is UTF-8 text when the bytes are valid UTF-8 and base64 otherwise; `encoding` says which.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import type { Message, StoredMessage } from '../../kernel/index.js';
import { isReservedProperty, KernelErrorCode } from '../../kernel/index.js';
import { HttpError, validationError } from './errors.js';
import type { ValidationIssue } from './errors.js';
import type { PublishRequest } from './schemas.js';

export const RawHeader = {
  Tag: 'x-message-tag',
  Keys: 'x-message-keys',
  PropertyPrefix: 'x-message-property-',
  ShardingKey: 'x-message-sharding-key',
  Path: 'x-message-path',
  DelayMs: 'x-message-delay-ms',
  DeliverAt: 'x-message-deliver-at',
  TtlMs: 'x-message-ttl-ms',
  Priority: 'x-message-priority',
  CorrelationId: 'x-message-correlation-id',
  ReplyTo: 'x-message-reply-to',
} as const;

// eslint-disable-next-line no-control-regex
const TAG_FORBIDDEN = /[/+#\u0000-\u001f\u007f]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function fail(path: string, message: string, where: ValidationIssue['in'] = 'body'): never {
  throw validationError([{ in: where, path, message }]);
}

function toEpochMs(value: number | string, path: string, where: ValidationIssue['in']): number {
  if (typeof value === 'number') return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) fail(path, 'must be epoch milliseconds or an RFC 3339 date-time', where);
  return ms;
}

function checkProperties(props: Record<string, string> | undefined, pathOf: (name: string) => string, where: ValidationIssue['in']): void {
  for (const name of Object.keys(props ?? {})) {
    if (name.length === 0 || isReservedProperty(name)) {
      throw new HttpError(KernelErrorCode.InvalidProperty, `property name "${name}" is reserved`, [
        { in: where, path: pathOf(name), message: 'is a reserved property name' },
      ]);
    }
  }
}

/** `path` must start with the topic; its second level is the tag (DESIGN.md §5). */
function tagFromPath(topic: string, path: string, tag: string | undefined, at: string, where: ValidationIssue['in']): string | undefined {
  const levels = path.split('/');
  if (levels[0] !== topic) fail(at, `must start with the topic "${topic}"`, where);
  const second = levels[1];
  if (second === undefined || second === '') return tag;
  if (tag !== undefined && tag !== second) fail(at, `second level "${second}" differs from tag "${tag}"`, where);
  return second;
}

/** Validated JSON publish item → Message. `at` prefixes issue paths (batch items: "/3"). */
export function messageFromJson(topic: string, item: PublishRequest, now: number, at = ''): Message {
  let body: Buffer;
  let contentType = item.contentType;
  if (typeof item.body === 'string') {
    if (item.encoding === 'base64') {
      if (!BASE64.test(item.body)) fail(`${at}/body`, 'is not valid base64');
      body = Buffer.from(item.body, 'base64');
    } else {
      body = Buffer.from(item.body, 'utf8');
    }
  } else {
    if (item.encoding === 'base64') fail(`${at}/encoding`, 'base64 needs a string body');
    body = Buffer.from(JSON.stringify(item.body ?? null), 'utf8');
    contentType ??= 'application/json';
  }
  if (item.delayMs !== undefined && item.deliverAt !== undefined) fail(`${at}/deliverAt`, 'excludes delayMs');
  checkProperties(item.properties, (name) => `${at}/properties/${name}`, 'body');
  const tag = item.path === undefined ? item.tag : tagFromPath(topic, item.path, item.tag, `${at}/path`, 'body');

  const message: Message = { topic, body, bornTimestamp: now };
  if (tag !== undefined) message.tag = tag;
  if (item.path !== undefined) message.path = item.path;
  if (item.keys?.length) message.keys = item.keys;
  if (item.properties && Object.keys(item.properties).length > 0) message.properties = item.properties;
  if (contentType !== undefined) message.contentType = contentType;
  if (item.shardingKey !== undefined) message.shardingKey = item.shardingKey;
  if (item.delayMs !== undefined && item.delayMs > 0) message.deliverAt = now + item.delayMs;
  if (item.deliverAt !== undefined) message.deliverAt = toEpochMs(item.deliverAt, `${at}/deliverAt`, 'body');
  if (item.ttlMs !== undefined) message.expireAt = now + item.ttlMs;
  if (item.priority !== undefined) message.priority = item.priority;
  if (item.correlationId !== undefined) message.correlationId = item.correlationId;
  if (item.replyTo !== undefined) message.replyTo = item.replyTo;
  return message;
}

/** Node hands header bytes over as latin1; re-read them as UTF-8 when they are. */
function headerText(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value.join(',') : value;
  if (v === undefined) return undefined;
  const bytes = Buffer.from(v, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : v;
}

function headerInt(headers: IncomingHttpHeaders, name: string, min: number, max: number): number | undefined {
  const v = headerText(headers[name]);
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n < min || n > max) fail(`/${name}`, `must be an integer in [${min}, ${max}]`, 'header');
  return n;
}

/** Raw publish: the bytes as they came, the message fields from X-Message-* headers. */
export function messageFromRaw(topic: string, body: Buffer, contentType: string, headers: IncomingHttpHeaders, now: number): Message {
  const message: Message = { topic, body, contentType, bornTimestamp: now };
  let tag = headerText(headers[RawHeader.Tag])?.trim();
  if (tag !== undefined && (tag === '' || tag === '*' || tag.includes('||') || TAG_FORBIDDEN.test(tag))) {
    fail(`/${RawHeader.Tag}`, 'is not a valid tag', 'header');
  }
  const path = headerText(headers[RawHeader.Path])?.trim();
  if (path) {
    tag = tagFromPath(topic, path, tag, `/${RawHeader.Path}`, 'header');
    message.path = path;
  }
  if (tag) message.tag = tag;
  const keys = headerText(headers[RawHeader.Keys])?.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
  if (keys?.some((k) => /\s/.test(k))) fail(`/${RawHeader.Keys}`, 'keys must not contain whitespace', 'header');
  if (keys?.length) message.keys = keys;

  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(RawHeader.PropertyPrefix)) continue;
    properties[name.slice(RawHeader.PropertyPrefix.length)] = headerText(value) ?? '';
  }
  checkProperties(properties, (name) => `/${RawHeader.PropertyPrefix}${name}`, 'header');
  if (Object.keys(properties).length > 0) message.properties = properties;

  const shardingKey = headerText(headers[RawHeader.ShardingKey])?.trim();
  if (shardingKey) message.shardingKey = shardingKey;
  const delayMs = headerInt(headers, RawHeader.DelayMs, 0, 40 * 24 * 3600 * 1000);
  const deliverAt = headerText(headers[RawHeader.DeliverAt])?.trim();
  if (delayMs !== undefined && deliverAt !== undefined) fail(`/${RawHeader.DeliverAt}`, `excludes ${RawHeader.DelayMs}`, 'header');
  if (delayMs) message.deliverAt = now + delayMs;
  if (deliverAt !== undefined) {
    message.deliverAt = /^\d+$/.test(deliverAt) ? Number(deliverAt) : toEpochMs(deliverAt, `/${RawHeader.DeliverAt}`, 'header');
  }
  const ttlMs = headerInt(headers, RawHeader.TtlMs, 1, Number.MAX_SAFE_INTEGER);
  if (ttlMs !== undefined) message.expireAt = now + ttlMs;
  const priority = headerInt(headers, RawHeader.Priority, 0, 9);
  if (priority !== undefined) message.priority = priority;
  const correlationId = headerText(headers[RawHeader.CorrelationId]);
  if (correlationId) message.correlationId = correlationId;
  const replyTo = headerText(headers[RawHeader.ReplyTo]);
  if (replyTo) message.replyTo = replyTo;
  return message;
}

import type { MessageView } from './api-types.js';
export type { MessageView };

export function encodeBody(body: Buffer): { body: string; encoding: 'utf8' | 'base64' } {
  return isUtf8(body) ? { body: body.toString('utf8'), encoding: 'utf8' } : { body: body.toString('base64'), encoding: 'base64' };
}

export function messageView(m: StoredMessage): MessageView {
  const view: MessageView = {
    msgId: m.msgId,
    topic: m.topic,
    queueId: m.queueId,
    queueOffset: m.queueOffset,
    keys: m.keys ?? [],
    properties: m.properties ?? {},
    ...encodeBody(m.body),
    bornTimestamp: m.bornTimestamp,
    storeTimestamp: m.storeTimestamp,
    reconsumeTimes: m.reconsumeTimes,
  };
  if (m.tag !== undefined) view.tag = m.tag;
  if (m.path !== undefined) view.path = m.path;
  if (m.contentType !== undefined) view.contentType = m.contentType;
  if (m.shardingKey !== undefined) view.shardingKey = m.shardingKey;
  if (m.deliverAt !== undefined) view.deliverAt = m.deliverAt;
  if (m.expireAt !== undefined) view.expireAt = m.expireAt;
  if (m.priority !== undefined) view.priority = m.priority;
  if (m.correlationId !== undefined) view.correlationId = m.correlationId;
  if (m.replyTo !== undefined) view.replyTo = m.replyTo;
  return view;
}
