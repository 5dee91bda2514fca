import { compileSelector } from '../../../../src/kernel/broker/filter/sql92-eval.js';
import type { StoredMessage } from '../../../../src/kernel/message/message.js';
import { storedMessage } from './stored-message.js';

function matches(selector: string, message: StoredMessage): boolean {
  return compileSelector(selector).matches(message);
}

describe('SQL92 selector: message fields under RocketMQ and JMS names', () => {
  it('TAGS is the message tag, and an untagged message has TAGS NULL', () => {
    const tagged = storedMessage({ tag: 'TagA' });
    expect(matches("TAGS = 'TagA'", tagged)).toBe(true);
    expect(matches("TAGS IN ('TagA', 'TagB')", tagged)).toBe(true);
    expect(matches("TAGS IS NOT NULL AND TAGS IN ('TagA')", tagged)).toBe(true);
    expect(matches("TAGS = 'TagB'", tagged)).toBe(false);
    expect(matches('TAGS IS NULL', storedMessage())).toBe(true);
    expect(matches("TAGS IS NULL", storedMessage({ tag: '' }))).toBe(true);
  });

  it('KEYS is the keys joined by a space, as RocketMQ stores them', () => {
    const m = storedMessage({ keys: ['order-1', 'cust-9'] });
    expect(matches("KEYS = 'order-1 cust-9'", m)).toBe(true);
    expect(matches("KEYS LIKE '%cust-9%'", m)).toBe(true);
    expect(matches("KEYS CONTAINS 'order-1'", m)).toBe(true);
    expect(matches('KEYS IS NULL', storedMessage({ keys: [] }))).toBe(true);
  });

  it('JMSCorrelationID, JMSType and JMSMessageID read the first-class fields', () => {
    const m = storedMessage({ correlationId: 'c-1', properties: { type: 'invoice' }, msgId: 'ABC' });
    expect(matches("JMSCorrelationID = 'c-1'", m)).toBe(true);
    expect(matches("JMSType = 'invoice'", m)).toBe(true);
    expect(matches("JMSMessageID = 'ABC'", m)).toBe(true);
    expect(matches('JMSCorrelationID IS NULL', storedMessage())).toBe(true);
  });

  it('JMSPriority is the priority, and 4 (the JMS default) when the message has none', () => {
    expect(matches('JMSPriority > 6', storedMessage({ priority: 9 }))).toBe(true);
    expect(matches('JMSPriority = 4', storedMessage())).toBe(true);
    expect(matches('JMSPriority BETWEEN 0 AND 3', storedMessage({ priority: 0 }))).toBe(true);
  });

  it('JMSTimestamp is bornTimestamp; JMSExpiration is expireAt, 0 when it never expires', () => {
    expect(matches('JMSTimestamp = 1700000000000', storedMessage())).toBe(true);
    expect(matches('JMSExpiration = 0', storedMessage())).toBe(true);
    expect(matches('JMSExpiration > 5', storedMessage({ expireAt: 10 }))).toBe(true);
  });

  it('an unset first-class field falls back to a user property of the same name', () => {
    expect(matches("JMSCorrelationID = 'p'", storedMessage({ properties: { JMSCorrelationID: 'p' } }))).toBe(true);
    expect(matches("JMSType = 't'", storedMessage({ properties: { JMSType: 't' } }))).toBe(true);
  });

  it('other names read user properties, then RocketMQ system properties', () => {
    const m = storedMessage({ properties: { region: 'eu' }, systemProperties: { MSG_REGION: 'DefaultRegion' } });
    expect(matches("region = 'eu'", m)).toBe(true);
    expect(matches("MSG_REGION = 'DefaultRegion'", m)).toBe(true);
  });

  it('inherited object members are not properties', () => {
    const m = storedMessage({ properties: {} });
    expect(matches('constructor IS NULL AND toString IS NULL AND __proto__ IS NULL', m)).toBe(true);
    expect(matches('constructor IS NULL', storedMessage())).toBe(true);
  });
});
