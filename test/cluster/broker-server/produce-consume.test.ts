import { deflateSync } from 'node:zlib';
import { parseMsgId } from '../../../src/kernel/message/msg-id.js';
import { MESSAGE_MAGIC_CODE } from '../../../src/kernel/message/record-codec.js';
import { encodeMessageBatch } from '../../../src/cluster/protocol/message-batch.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { decodeRecords, properties, pullOnce, sendV2Header, startBrokerFixture, type BrokerFixture } from '../helpers/broker-fixture.js';

describe('broker server: send and pull as RocketMQ clients do', () => {
  let f: BrokerFixture;
  beforeEach(async () => {
    f = await startBrokerFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  test('SEND_MESSAGE_V2 stores the message; PULL_MESSAGE returns its stored record bytes', async () => {
    const sent = await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('orders', {
      TAGS: 'created', KEYS: 'k1 k2', UNIQ_KEY: 'C0A80001000018B4AAC2000000000001', WAIT: 'true', color: 'red',
    }, { e: 2 }), Buffer.from('hello'));
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    expect(sent.extFields).toMatchObject({ queueId: '2', queueOffset: '0', MSG_REGION: 'DefaultRegion', TRACE_ON: 'true' });
    const id = parseMsgId(sent.extFields.msgId!)!;
    expect(id).toEqual({ host: '127.0.0.1', port: f.server.port, commitLogOffset: Number(sent.extFields.commitLogOffset) });

    const pulled = await pullOnce(f, { topic: 'orders', queueId: 2 });
    expect(pulled.code).toBe(ResponseCode.SUCCESS);
    expect(pulled.extFields).toMatchObject({ nextBeginOffset: '1', minOffset: '0', maxOffset: '1', suggestWhichBrokerId: '0' });
    const body = pulled.body!;
    // RocketMQ 4 stored layout, read at fixed offsets as MessageDecoder does
    expect(body.readInt32BE(0)).toBe(body.length);
    expect(body.readInt32BE(4)).toBe(MESSAGE_MAGIC_CODE);
    expect(body.readInt32BE(12)).toBe(2);
    expect(Number(body.readBigInt64BE(20))).toBe(0);
    expect(Number(body.readBigInt64BE(28))).toBe(id.commitLogOffset);
    const [record] = decodeRecords(body);
    expect(record!.topic).toBe('orders');
    expect(record!.body.toString()).toBe('hello');
    expect(Object.fromEntries(record!.properties)).toMatchObject({ TAGS: 'created', KEYS: 'k1 k2', UNIQ_KEY: 'C0A80001000018B4AAC2000000000001', WAIT: 'true', color: 'red' });
    // the bytes are the commit log's, unchanged
    expect(body.equals(await f.broker.store.readCommitLog(id.commitLogOffset, body.length))).toBe(true);
  });

  test('SEND_MESSAGE with V1 field names works too, and the kernel sees first-class fields', async () => {
    const sent = await f.invoke(RequestCode.SEND_MESSAGE, {
      producerGroup: 'pg', topic: 't1', defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId: 0, sysFlag: 0,
      bornTimestamp: 1_700_000_000_000, flag: 0, properties: properties({ TAGS: 'x', KEYS: 'order-1' }), reconsumeTimes: 0,
    }, Buffer.from('v1'));
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    const [found] = await f.broker.queryMessagesByKey({ topic: 't1', key: 'order-1' });
    expect(found).toMatchObject({ tag: 'x', keys: ['order-1'], bornTimestamp: 1_700_000_000_000 });
  });

  test('a zlib-compressed body (sysFlag 0x1) is stored inflated; LZ4 is refused', async () => {
    const plain = Buffer.alloc(10_000, 'abc');
    const ok = await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('z', {}, { e: 0, f: 0x1 }), deflateSync(plain));
    expect(ok.code).toBe(ResponseCode.SUCCESS);
    const [record] = decodeRecords((await pullOnce(f, { topic: 'z' })).body);
    expect(record!.body.equals(plain)).toBe(true);
    expect(record!.header.sysFlag & 1).toBe(0);
    const lz4 = await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('z', {}, { e: 0, f: 0x1 | (1 << 8) }), Buffer.from('x'));
    expect(lz4.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
  });

  test('SEND_BATCH_MESSAGE stores every entry with its own properties', async () => {
    const body = encodeMessageBatch([0, 1, 2].map((i) => ({ flag: 0, body: Buffer.from(`m${i}`), properties: properties({ TAGS: `t${i}`, UNIQ_KEY: `U${i}` }) })));
    const sent = await f.invoke(RequestCode.SEND_BATCH_MESSAGE, sendV2Header('batch', {}, { e: 1, m: true }), body);
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    expect(sent.extFields.msgId!.split(',')).toHaveLength(3);
    expect(sent.extFields.queueOffset).toBe('0');
    const records = decodeRecords((await pullOnce(f, { topic: 'batch', queueId: 1 })).body);
    expect(records.map((r) => [r.body.toString(), r.properties.get('TAGS'), r.header.queueOffset])).toEqual([['m0', 't0', 0], ['m1', 't1', 1], ['m2', 't2', 2]]);
  });

  test('the pull subscription filters by tag; SQL92 by property', async () => {
    for (const [tag, color] of [['a', 'red'], ['b', 'blue'], ['a', 'blue']] as const) {
      await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('f', { TAGS: tag, color }, { e: 0 }), Buffer.from(`${tag}-${color}`));
    }
    const byTag = decodeRecords((await pullOnce(f, { topic: 'f', subscription: 'a' })).body);
    expect(byTag.map((r) => r.body.toString())).toEqual(['a-red', 'a-blue']);
    const bySql = decodeRecords((await pullOnce(f, { topic: 'f', subscription: "color = 'blue'", expressionType: 'SQL92' })).body);
    expect(bySql.map((r) => r.body.toString())).toEqual(['b-blue', 'a-blue']);
    const bad = await pullOnce(f, { topic: 'f', subscription: 'color = = 1', expressionType: 'SQL92' });
    expect(bad.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
  });

  test('pull status codes follow RocketMQ: NOT_FOUND at the end, OFFSET_MOVED beyond it, TOPIC_NOT_EXIST', async () => {
    await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('s', {}, { e: 0 }), Buffer.from('1'));
    const atEnd = await pullOnce(f, { topic: 's', queueOffset: 1 });
    expect(atEnd.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(atEnd.extFields.nextBeginOffset).toBe('1');
    const beyond = await pullOnce(f, { topic: 's', queueOffset: 50 });
    expect(beyond.code).toBe(ResponseCode.PULL_OFFSET_MOVED);
    // DefaultMessageStore: beyond the end with the queue starting at 0, corrected to the minimum
    expect(beyond.extFields.nextBeginOffset).toBe('0');
    const missing = await pullOnce(f, { topic: 'missing' });
    expect(missing.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    const badQueue = await pullOnce(f, { topic: 's', queueId: 99 });
    expect(badQueue.code).toBe(ResponseCode.SYSTEM_ERROR);
  });

  test('a suspended pull (long polling) answers as soon as a message arrives', async () => {
    await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('lp', {}, { e: 0 }), Buffer.from('first'));
    const started = Date.now();
    const waiting = pullOnce(f, { topic: 'lp', queueOffset: 1, sysFlag: 0x2 | 0x4, suspendTimeoutMillis: 5_000 });
    await new Promise((r) => setTimeout(r, 200));
    await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('lp', {}, { e: 0 }), Buffer.from('second'));
    const response = await waiting;
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(decodeRecords(response.body).map((r) => r.body.toString())).toEqual(['second']);
    expect(Date.now() - started).toBeLessThan(3_000);
    const quiet = Date.now();
    const timedOut = await pullOnce(f, { topic: 'lp', queueOffset: 2, sysFlag: 0x2 | 0x4, suspendTimeoutMillis: 300 });
    expect(timedOut.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(Date.now() - quiet).toBeGreaterThanOrEqual(250);
  });

  test('kernel refusals come back with RocketMQ codes and the kernel code', async () => {
    const reserved = await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('SCHEDULE_TOPIC_XXXX', {}), Buffer.from('x'));
    expect(reserved.code).toBe(ResponseCode.INVALID_PARAMETER);
    expect(reserved.extFields.kernelCode).toBe('INVALID_TOPIC');
    const badQueue = await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('q', {}, { e: 77 }), Buffer.from('x'));
    expect(badQueue).toMatchObject({ code: ResponseCode.INVALID_PARAMETER, extFields: { kernelCode: 'INVALID_QUEUE' } });
    const missingField = await f.invoke(RequestCode.SEND_MESSAGE_V2, { b: 'q' }, Buffer.from('x'));
    expect(missingField).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'the custom field <producerGroup> is null' });
  });
});
