/**
 * PUBLISH ↔ kernel Message (DESIGN.md §5, the MQTT column).
 *
 *   MQTT 5 user properties   ↔ properties (a repeated name keeps the ordered list in `mqtt.userProperties`)
 *   user property `keys`     ↔ keys (space separated, may repeat);  user property `deliverAt` → deliverAt
 *   content type             ↔ contentType
 *   message expiry interval  ↔ expireAt (remaining seconds on the way out [MQTT-3.3.2-6])
 *   response topic           ↔ replyTo
 *   correlation data         ↔ correlationId (UTF-8 text, or base64 with `mqtt.correlationEncoding=base64`)
 *   payload format indicator ↔ `mqtt.payloadFormat=utf8`
 *   QoS, RETAIN, client id   → `mqtt.qos`, `mqtt.retain`, `mqtt.clientId`
 *   sharding key             = the publishing client id, so one client's order per topic holds
 */
import { isUtf8 } from 'node:buffer';
import type { Message, StoredMessage } from '../../kernel/index.js';
import { isReservedProperty } from '../../kernel/index.js';
import type { IPublishPacket, QoS, UserProperties } from 'mqtt-packet';
import { PublishRefused } from './errors.js';
import { ReasonCode } from './reason-codes.js';
import { type KernelAddress, mqttTopicOf } from './topic-map.js';

export const MqttProperty = {
  QoS: 'mqtt.qos',
  Retain: 'mqtt.retain',
  ClientId: 'mqtt.clientId',
  PayloadFormat: 'mqtt.payloadFormat',
  CorrelationEncoding: 'mqtt.correlationEncoding',
  UserProperties: 'mqtt.userProperties',
} as const;
const MQTT_PREFIX = 'mqtt.';
const KEYS_PROPERTY = 'keys';
const DELIVER_AT_PROPERTY = 'deliverAt';
/** QoS of messages that did not come from MQTT: they are stored, so at least once */
export const DEFAULT_QOS: QoS = 1;

type PublishProperties = NonNullable<IPublishPacket['properties']>;

/** what one PUBLISH becomes in the kernel; throws PublishRefused for input the kernel must not take */
export function publishToMessage(packet: Pick<IPublishPacket, 'payload' | 'qos' | 'retain' | 'properties'>, ctx: { clientId: string; now: number; address: KernelAddress }): Message {
  const body = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  const properties: Record<string, string> = { [MqttProperty.QoS]: String(packet.qos), [MqttProperty.ClientId]: ctx.clientId };
  if (packet.retain) properties[MqttProperty.Retain] = '1';
  const message: Message = { topic: ctx.address.topic, body, properties, shardingKey: ctx.clientId };
  if (ctx.address.tag !== undefined) message.tag = ctx.address.tag;
  if (ctx.address.path !== undefined) message.path = ctx.address.path;
  const p = packet.properties;
  if (!p) return message;
  if (p.payloadFormatIndicator) {
    // the Server MAY check the payload is UTF-8 and answer 0x99 [MQTT-3.3.2.3.2]
    if (!isUtf8(body)) throw new PublishRefused(ReasonCode.PayloadFormatInvalid, 'payload format indicator says UTF-8 but the payload is not');
    properties[MqttProperty.PayloadFormat] = 'utf8';
  }
  if (p.contentType !== undefined) message.contentType = p.contentType;
  if (p.messageExpiryInterval !== undefined) message.expireAt = ctx.now + p.messageExpiryInterval * 1000;
  if (p.responseTopic !== undefined) message.replyTo = p.responseTopic;
  if (p.correlationData !== undefined) {
    if (isUtf8(p.correlationData)) {
      message.correlationId = p.correlationData.toString('utf8');
    } else {
      message.correlationId = p.correlationData.toString('base64');
      properties[MqttProperty.CorrelationEncoding] = 'base64';
    }
  }
  if (p.userProperties) mapUserProperties(p.userProperties, message, properties);
  return message;
}

function mapUserProperties(user: UserProperties, message: Message, properties: Record<string, string>): void {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(user)) {
    for (const v of Array.isArray(value) ? value : [value]) pairs.push([name, v]);
  }
  const seen = new Set<string>();
  let repeated = false;
  for (const [name, value] of pairs) {
    if (name === KEYS_PROPERTY) {
      const keys = value.split(/\s+/).filter((k) => k.length > 0);
      message.keys = [...(message.keys ?? []), ...keys];
      continue;
    }
    if (name === DELIVER_AT_PROPERTY) {
      const at = Number(value);
      if (!Number.isSafeInteger(at) || at < 0) throw new PublishRefused(ReasonCode.ImplementationSpecificError, `user property deliverAt must be epoch milliseconds, got ${JSON.stringify(value)}`);
      message.deliverAt = at;
      continue;
    }
    if (name.length === 0 || name.startsWith(MQTT_PREFIX) || isReservedProperty(name)) {
      throw new PublishRefused(ReasonCode.ImplementationSpecificError, `user property name ${JSON.stringify(name)} is reserved`);
    }
    if (seen.has(name)) repeated = true;
    seen.add(name);
    properties[name] = value;
  }
  if (repeated) properties[MqttProperty.UserProperties] = JSON.stringify(pairs.filter(([n]) => n !== KEYS_PROPERTY && n !== DELIVER_AT_PROPERTY));
}

/** a kernel message ready to be sent to MQTT subscribers (per-subscriber QoS, RETAIN and identifiers come later) */
export interface OutboundMessage {
  topic: string;
  payload: Buffer;
  /** QoS it was published with (kernel messages from other protocols: DEFAULT_QOS) */
  qos: QoS;
  /** RETAIN flag it was published with (for Retain As Published) */
  retain: boolean;
  /** publishing MQTT client (for No Local) */
  clientId?: string;
  /** epoch ms; the remaining interval is computed when the packet is written */
  expireAt?: number;
  /** MQTT 5 properties except message expiry, subscription identifiers and topic alias */
  properties?: PublishProperties;
}

/** undefined when the message cannot appear to MQTT: expired, or its topic is no valid MQTT topic name */
export function messageToOutbound(message: Message | StoredMessage, now: number): OutboundMessage | undefined {
  if (message.expireAt !== undefined && message.expireAt <= now) return undefined; // [MQTT-3.3.2-5]
  const topic = mqttTopicOf(message);
  if (topic.includes('+') || topic.includes('#') || topic.includes('\u0000')) return undefined;
  const props = message.properties ?? {};
  const qos = parseQoS(props[MqttProperty.QoS]);
  const out: OutboundMessage = { topic, payload: message.body, qos, retain: props[MqttProperty.Retain] === '1' };
  const clientId = props[MqttProperty.ClientId];
  if (clientId !== undefined) out.clientId = clientId;
  if (message.expireAt !== undefined) out.expireAt = message.expireAt;
  const properties: PublishProperties = {};
  let any = false;
  if (props[MqttProperty.PayloadFormat] === 'utf8') { properties.payloadFormatIndicator = true; any = true; }
  if (message.contentType !== undefined) { properties.contentType = message.contentType; any = true; }
  if (message.replyTo !== undefined) { properties.responseTopic = message.replyTo; any = true; }
  if (message.correlationId !== undefined) {
    const base64 = props[MqttProperty.CorrelationEncoding] === 'base64';
    properties.correlationData = Buffer.from(message.correlationId, base64 ? 'base64' : 'utf8');
    any = true;
  }
  const user = userPropertiesOf(message);
  if (user) { properties.userProperties = user; any = true; }
  if (any) out.properties = properties;
  return out;
}

function parseQoS(value: string | undefined): QoS {
  return value === '0' ? 0 : value === '2' ? 2 : value === '1' ? 1 : DEFAULT_QOS;
}

function userPropertiesOf(message: Message): UserProperties | undefined {
  const props = message.properties ?? {};
  let user: UserProperties | undefined;
  const ordered = props[MqttProperty.UserProperties];
  if (ordered !== undefined) {
    for (const [name, value] of parsePairs(ordered)) user = addUserProperty(user, name, value);
  } else {
    // the common case: only mqtt.* properties, nothing allocated
    for (const name in props) {
      if (!name.startsWith(MQTT_PREFIX)) user = addUserProperty(user, name, props[name]!);
    }
  }
  if (message.keys && message.keys.length > 0) user = addUserProperty(user, KEYS_PROPERTY, message.keys.join(' '));
  return user;
}

function addUserProperty(user: UserProperties | undefined, name: string, value: string): UserProperties {
  const out = user ?? {};
  const prev = out[name];
  out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  return out;
}

function parsePairs(json: string): Array<[string, string]> {
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string');
  } catch {
    return [];
  }
}

/** remaining Message Expiry Interval in whole seconds, rounded up, or undefined */
export function remainingExpiry(expireAt: number | undefined, now: number): number | undefined {
  if (expireAt === undefined) return undefined;
  return Math.max(1, Math.ceil((expireAt - now) / 1000));
}
