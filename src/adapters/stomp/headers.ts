/**
 * STOMP headers ↔ kernel Message fields (DESIGN.md §5, STYLE §4).
 *
 * | STOMP header                          | Message                                  |
 * |---------------------------------------|------------------------------------------|
 * | destination                           | topic, tag, path (destination.ts)        |
 * | content-type                          | contentType                              |
 * | priority (0..9)                       | priority                                 |
 * | expires (epoch ms, 0 = never)         | expireAt                                 |
 * | reply-to                              | replyTo (a /temp-queue/ becomes its /remote-temp-queue/ form) |
 * | correlation-id                        | correlationId                            |
 * | JMSXGroupID                           | shardingKey (one queue, so one consumer, in order) |
 * | keys (space separated, as RocketMQ's KEYS property; a key may hold commas) | keys |
 * | deliverAt (epoch ms), AMQ_SCHEDULED_DELAY (ms) | deliverAt                       |
 * | persistent: false                     | systemProperties WAIT=false (RocketMQ's waitStoreMsgOK: in sync flush mode the send is answered before the fdatasync), and the property |
 * | any other header (type, persistent …) | properties, by the same name             |
 *
 * Frame-control headers (content-length, receipt, transaction) and server-only ones
 * (message-id, subscription, ack, redelivered, delivery-count, timestamp) are not
 * stored. `type` stays the user property `type`, which the kernel's selectors read as
 * JMSType. On delivery the mapping runs backwards and adds message-id (the kernel
 * msgId, the same for every redelivery), subscription, ack, redelivered,
 * delivery-count and timestamp; properties never override a protocol header.
 */
import { isReservedProperty, type Message, type StoredMessage } from '../../kernel/index.js';
import type { Destination } from './destination.js';
import { StompError, StompErrorCode } from './errors.js';
import type { StompFrame } from './frame.js';

const NOT_STORED = new Set([
  'destination', 'content-length', 'content-type', 'receipt', 'transaction',
  'priority', 'expires', 'reply-to', 'correlation-id', 'JMSXGroupID', 'keys', 'deliverAt', 'AMQ_SCHEDULED_DELAY',
  'message-id', 'subscription', 'ack', 'redelivered', 'delivery-count', 'timestamp',
]);

function invalidHeader(name: string, value: string, why: string): StompError {
  return new StompError(StompErrorCode.InvalidHeader, `invalid ${name} header`, `${JSON.stringify(value.slice(0, 100))}: ${why}`);
}

function integerHeader(name: string, value: string, min: number, max: number): number {
  if (!/^-?\d{1,16}$/.test(value.trim())) throw invalidHeader(name, value, 'not an integer');
  const n = Number(value.trim());
  if (n < min || n > max) throw invalidHeader(name, value, `must be between ${min} and ${max}`);
  return n;
}

export interface SendMapping {
  /** the frame's destination, parsed */
  destination: Destination;
  /** reply-to as stored (temp queues already rewritten by the caller) */
  replyTo: string | undefined;
  now: number;
}

/** SEND frame → kernel Message. Throws StompError(InvalidHeader) on values it cannot keep. */
export function messageFromSend(frame: StompFrame, mapping: SendMapping): Message {
  const { destination } = mapping;
  const h = frame.headers;
  const message: Message = { topic: destination.topic, body: frame.body, bornTimestamp: mapping.now };
  if (destination.tag !== undefined) message.tag = destination.tag;
  if (destination.path !== undefined) message.path = destination.path;
  const contentType = h.get('content-type');
  if (contentType !== undefined) message.contentType = contentType;
  const priority = h.get('priority');
  if (priority !== undefined) message.priority = integerHeader('priority', priority, 0, 9);
  const expires = h.get('expires');
  if (expires !== undefined) {
    const at = integerHeader('expires', expires, 0, Number.MAX_SAFE_INTEGER);
    if (at > 0) message.expireAt = at; // JMS: 0 means never
  }
  if (mapping.replyTo !== undefined) message.replyTo = mapping.replyTo;
  const correlationId = h.get('correlation-id');
  if (correlationId !== undefined) message.correlationId = correlationId;
  const group = h.get('JMSXGroupID');
  if (group !== undefined && group !== '') message.shardingKey = group;
  const keys = h.get('keys');
  if (keys !== undefined) {
    const list = keys.split(/\s+/).filter((k) => k !== '');
    if (list.length > 0) message.keys = list;
  }
  const deliverAt = h.get('deliverAt');
  const delay = h.get('AMQ_SCHEDULED_DELAY');
  if (deliverAt !== undefined) message.deliverAt = integerHeader('deliverAt', deliverAt, 0, Number.MAX_SAFE_INTEGER);
  else if (delay !== undefined) message.deliverAt = mapping.now + integerHeader('AMQ_SCHEDULED_DELAY', delay, 0, 1e12);
  // JMS NON_PERSISTENT: no durability guarantee, so no waiting for the disk
  if (h.get('persistent') === 'false') message.systemProperties = { WAIT: 'false' };
  let properties: Record<string, string> | undefined;
  for (const [name, value] of h) {
    if (NOT_STORED.has(name)) continue;
    if (isReservedProperty(name)) {
      throw invalidHeader(name, value, `the header name ${JSON.stringify(name)} is reserved by the kernel`);
    }
    properties ??= {};
    properties[name] = value;
  }
  if (properties) message.properties = properties;
  return message;
}

export interface DeliveryMapping {
  /** destination header: the subscription's destination */
  destination: string;
  subscriptionId: string;
  /** the ack header (client and client-individual modes) */
  ackId: string | undefined;
}

/** StoredMessage → MESSAGE frame headers, protocol headers first (STOMP 1.2 §MESSAGE). */
export function messageHeaders(message: StoredMessage, mapping: DeliveryMapping): Map<string, string> {
  const h = new Map<string, string>();
  h.set('destination', mapping.destination);
  h.set('message-id', message.msgId);
  h.set('subscription', mapping.subscriptionId);
  if (mapping.ackId !== undefined) h.set('ack', mapping.ackId);
  if (message.contentType !== undefined) h.set('content-type', message.contentType);
  h.set('redelivered', message.reconsumeTimes > 0 ? 'true' : 'false');
  h.set('delivery-count', String(message.reconsumeTimes + 1));
  h.set('timestamp', String(message.bornTimestamp));
  h.set('expires', String(message.expireAt ?? 0));
  if (message.priority !== undefined) h.set('priority', String(message.priority));
  if (message.replyTo !== undefined) h.set('reply-to', message.replyTo);
  if (message.correlationId !== undefined) h.set('correlation-id', message.correlationId);
  if (message.shardingKey !== undefined) h.set('JMSXGroupID', message.shardingKey);
  if (message.keys !== undefined && message.keys.length > 0) h.set('keys', message.keys.join(' '));
  if (message.properties) {
    for (const [name, value] of Object.entries(message.properties)) {
      if (!h.has(name) && name !== 'content-length') h.set(name, value);
    }
  }
  return h;
}
