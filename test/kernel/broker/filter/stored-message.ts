import type { StoredMessage } from '../../../../src/kernel/message/message.js';

/** An in-memory StoredMessage with broker fields filled in; `over` sets anything else. */
export function storedMessage(over: Partial<StoredMessage> = {}): StoredMessage {
  return {
    topic: 'orders',
    body: Buffer.alloc(0),
    msgId: 'C0A8000100002A9F0000000000000000',
    offsetMsgId: 'C0A8000100002A9F0000000000000000',
    queueId: 0,
    queueOffset: 0,
    commitLogOffset: 0,
    storeSize: 0,
    storeTimestamp: 1_700_000_000_000,
    bornTimestamp: 1_700_000_000_000,
    reconsumeTimes: 0,
    sysFlag: 0,
    flag: 0,
    preparedTransactionOffset: 0,
    ...over,
  };
}

/** A message carrying only these user properties (and optionally a tag). */
export function withProps(properties: Record<string, string>, tag?: string): StoredMessage {
  return storedMessage({ properties, tag });
}
