/**
 * What a selector identifier reads from a StoredMessage. Every value is text (see
 * sql92-values.ts) or null when the message has none.
 *
 * | identifier         | value                                                       |
 * |--------------------|-------------------------------------------------------------|
 * | `TAGS`             | the tag (RocketMQ's TAGS property)                           |
 * | `KEYS`             | the keys joined by a space (RocketMQ's KEYS property)        |
 * | `JMSCorrelationID` | correlationId                                               |
 * | `JMSPriority`      | priority, 4 when the message has none (JMS default priority) |
 * | `JMSType`          | the user property `type`                                    |
 * | `JMSMessageID`     | msgId                                                       |
 * | `JMSTimestamp`     | bornTimestamp (epoch ms)                                    |
 * | `JMSExpiration`    | expireAt (epoch ms), 0 when the message never expires (JMS) |
 * | anything else      | the user property of that name, else the RocketMQ system    |
 * |                    | property of that name (as RocketMQ's SQL filter sees both)  |
 *
 * A first-class field that is unset falls back to a user property of the same name.
 * Names are case-sensitive, as in JMS.
 */
import type { StoredMessage } from '../../message/message.js';

export type FieldReader = (message: StoredMessage) => string | null;

function own(map: Record<string, string> | undefined, name: string): string | null {
  if (map === undefined) return null;
  const v = map[name];
  // typeof guards against inherited members such as `constructor` or `toString`
  return typeof v === 'string' ? v : null;
}

function withFallback(name: string, read: (m: StoredMessage) => string | null | undefined): FieldReader {
  return (m) => read(m) ?? own(m.properties, name);
}

export function fieldReader(name: string): FieldReader {
  switch (name) {
    case 'TAGS':
      return (m) => (m.tag ? m.tag : null);
    case 'KEYS':
      return (m) => (m.keys && m.keys.length > 0 ? m.keys.join(' ') : null);
    case 'JMSCorrelationID':
      return withFallback(name, (m) => m.correlationId);
    case 'JMSPriority':
      return (m) => (m.priority !== undefined ? String(m.priority) : own(m.properties, name) ?? '4');
    case 'JMSType':
      return withFallback(name, (m) => own(m.properties, 'type'));
    case 'JMSMessageID':
      return withFallback(name, (m) => m.msgId);
    case 'JMSTimestamp':
      return withFallback(name, (m) => String(m.bornTimestamp));
    case 'JMSExpiration':
      return (m) => (m.expireAt !== undefined ? String(m.expireAt) : own(m.properties, name) ?? '0');
    default:
      return (m) => own(m.properties, name) ?? own(m.systemProperties, name);
  }
}
