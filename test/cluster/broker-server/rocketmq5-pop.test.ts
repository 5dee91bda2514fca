/**
 * RocketMQ 5's pop, ack and changeInvisibleTime remoting codes, spoken as its Java client
 * does (MQClientAPIImpl.processPopResponse builds each message's handle from the response
 * header with ExtraInfoUtil; acks and changes send it back).
 */
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { decodeRecords, sendV2Header, startBrokerFixture, type BrokerFixture } from '../helpers/broker-fixture.js';

let f: BrokerFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

/** ExtraInfoUtil.parseStartOffsetInfo / parseMsgOffsetInfo: `flag queueId value` entries → `flag@queueId` */
function parseInfo(info: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of info.split(';')) {
    const [flag, queueId, value] = entry.split(' ');
    out.set(`${flag}@${queueId}`, value!);
  }
  return out;
}

interface Popped {
  body: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  extraInfo: string;
}

async function pop(group: string, invisibleTime: number, pollTime: number, exp?: string): Promise<{ code: number; messages: Popped[]; header: Record<string, string> }> {
  const r = await f!.invoke(RequestCode.POP_MESSAGE, {
    consumerGroup: group, topic: 'pop5', queueId: -1, maxMsgNums: 32, invisibleTime, pollTime, bornTime: Date.now(), initMode: 0,
    ...(exp ? { expType: 'TAG', exp } : {}),
  }, undefined, pollTime + 5_000);
  if (r.code !== ResponseCode.SUCCESS) return { code: r.code, messages: [], header: r.extFields };
  const start = parseInfo(r.extFields.startOffsetInfo!);
  const offsets = parseInfo(r.extFields.msgOffsetInfo!);
  const messages = decodeRecords(r.body).map((rec) => {
    const flag = rec.topic.startsWith('%RETRY%') ? '1' : '0';
    const key = `${flag}@${rec.header.queueId}`;
    expect(offsets.get(key)!.split(',').map(Number)).toContain(rec.header.queueOffset);
    const extraInfo = [start.get(key), r.extFields.popTime, r.extFields.invisibleTime, r.extFields.reviveQid, flag, 'broker-a', rec.header.queueId, rec.header.queueOffset].join(' ');
    return { body: rec.body.toString(), topic: rec.topic, queueId: rec.header.queueId, queueOffset: rec.header.queueOffset, extraInfo };
  });
  return { code: r.code, messages, header: r.extFields };
}

const handleHeader = (group: string, m: Popped) => ({ consumerGroup: group, topic: 'pop5', queueId: m.queueId, extraInfo: m.extraInfo, offset: m.queueOffset });

test('POP_MESSAGE, ACK_MESSAGE and CHANGE_MESSAGE_INVISIBLETIME with the handles a RocketMQ 5 client builds', async () => {
  f = await startBrokerFixture();
  await f.broker.createTopic({ topic: 'pop5', queueCount: 2 });
  for (let i = 0; i < 6; i++) {
    const r = await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('pop5', { TAGS: i % 2 === 0 ? 'A' : 'B' }, { e: i % 2 }), Buffer.from(`m-${i}`));
    expect(r.code).toBe(ResponseCode.SUCCESS);
  }

  const first = await pop('g5', 60_000, 0);
  expect(first.code).toBe(ResponseCode.SUCCESS);
  expect(first.messages.map((m) => m.body).sort()).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5']);
  expect(Number(first.header.invisibleTime)).toBe(60_000);
  expect(Number(first.header.popTime)).toBeGreaterThan(0);
  // nothing else is visible to the group meanwhile
  expect((await pop('g5', 60_000, 0)).code).toBe(ResponseCode.PULL_NOT_FOUND);

  const [keep, ...done] = first.messages.sort((a, b) => a.body.localeCompare(b.body));
  for (const m of done) expect((await f.invoke(RequestCode.ACK_MESSAGE, handleHeader('g5', m))).code).toBe(ResponseCode.SUCCESS);

  // visible again soon: it comes back through the group's retry topic, with a new handle
  const changed = await f.invoke(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, { ...handleHeader('g5', keep!), invisibleTime: 100 });
  expect(changed.code).toBe(ResponseCode.SUCCESS);
  expect(Number(changed.extFields.invisibleTime)).toBe(100);
  expect(Number(changed.extFields.popTime)).toBeGreaterThanOrEqual(Number(first.header.popTime));
  const again = await pop('g5', 60_000, 10_000);
  expect(again.messages.map((m) => ({ body: m.body, retry: m.topic.startsWith('%RETRY%') }))).toEqual([{ body: keep!.body, retry: true }]);
  expect((await f.invoke(RequestCode.ACK_MESSAGE, handleHeader('g5', again.messages[0]!))).code).toBe(ResponseCode.SUCCESS);
  // the replaced handle is refused for a change, and acked messages stay acked
  expect((await f.invoke(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, { ...handleHeader('g5', keep!), invisibleTime: 100 })).code).toBe(ResponseCode.NO_MESSAGE);
  expect((await pop('g5', 60_000, 300)).code).toBe(ResponseCode.PULL_NOT_FOUND);

  // a tag filter, for another group
  const tagged = await pop('g5-tags', 60_000, 0, 'A');
  expect(tagged.messages.map((m) => m.body).sort()).toEqual(['m-0', 'm-2', 'm-4']);
});

test('a malformed handle is refused with INVALID_PARAMETER; a pop on a slave with SERVICE_NOT_AVAILABLE', async () => {
  f = await startBrokerFixture();
  const bad = await f.invoke(RequestCode.ACK_MESSAGE, { consumerGroup: 'g', topic: 'pop5', queueId: 0, extraInfo: 'nonsense', offset: 0 });
  expect(bad.code).toBe(ResponseCode.INVALID_PARAMETER);
  await f.close();
  f = await startBrokerFixture({ broker: { readOnly: true }, server: { brokerId: 1 } });
  const onSlave = await f.invoke(RequestCode.POP_MESSAGE, { consumerGroup: 'g', topic: 'pop5', queueId: -1, maxMsgNums: 1, invisibleTime: 1_000, pollTime: 0, bornTime: Date.now(), initMode: 0 });
  expect(onSlave.code).toBe(ResponseCode.SERVICE_NOT_AVAILABLE);
});
