import { createRequest } from '../../../src/cluster/remoting/command.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { waitFor } from '../../helpers/kernel.js';
import { decodeRecords, pullOnce, sendV2Header, startBrokerFixture, type BrokerFixture } from '../helpers/broker-fixture.js';

function heartbeatBody(clientID: string, group: string, opts: { model?: string; from?: string; topic?: string; sub?: string } = {}): Buffer {
  return Buffer.from(JSON.stringify({
    clientID,
    consumerDataSet: [{
      consumeFromWhere: opts.from ?? 'CONSUME_FROM_FIRST_OFFSET', consumeType: 'CONSUME_PASSIVELY', groupName: group,
      messageModel: opts.model ?? 'CLUSTERING', unitMode: false,
      subscriptionDataSet: [{ classFilterMode: false, codeSet: [], expressionType: 'TAG', subString: opts.sub ?? '*', subVersion: 1, tagsSet: [], topic: opts.topic ?? 'orders' }],
    }],
    heartbeatFingerprint: 0,
    producerDataSet: [{ groupName: 'CLIENT_INNER_PRODUCER' }],
    withoutSub: false,
  }));
}

describe('broker server: consumers, offsets, locks, send-back, lookup', () => {
  let f: BrokerFixture;
  beforeEach(async () => {
    f = await startBrokerFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  const send = (topic: string, props: Record<string, string>, queueId = 0, body = 'x') =>
    f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header(topic, props, { e: queueId }), Buffer.from(body));

  test('HEART_BEAT joins a group, the group list shows it, a closed connection leaves and notifies the others', async () => {
    const other = new RemotingClient(new TcpTransport());
    const notified: string[] = [];
    f.client.register(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
      notified.push(req.extFields.consumerGroup!);
      return undefined;
    });
    try {
      expect((await f.invoke(RequestCode.HEART_BEAT, undefined, heartbeatBody('10.0.0.1@1', 'cg'))).code).toBe(ResponseCode.SUCCESS);
      const none = await f.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'nobody' });
      expect(none.code).toBe(ResponseCode.SYSTEM_ERROR);
      const hb = await other.invoke(f.address, createRequest({ code: RequestCode.HEART_BEAT, body: heartbeatBody('10.0.0.2@1', 'cg') }));
      expect(hb.code).toBe(ResponseCode.SUCCESS);
      await waitFor(() => notified.length > 0, 2_000, 'NOTIFY_CONSUMER_IDS_CHANGED');
      expect(notified[0]).toBe('cg');
      const list = await f.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'cg' });
      expect(JSON.parse(list.body!.toString())).toEqual({ consumerIdList: ['10.0.0.1@1', '10.0.0.2@1'] });
      expect(f.broker.groupInfo('cg')!.members[0]!.subscriptions).toEqual([{ topic: 'orders', filter: { type: 'TAG', expression: '*' } }]);
      notified.length = 0;
      await other.close();
      await waitFor(() => f.broker.consumers.memberIds('cg').length === 1, 2_000, 'member gone');
      await waitFor(() => notified.length > 0, 2_000, 'notified of the leave');
      const un = await f.invoke(RequestCode.UNREGISTER_CLIENT, { clientID: '10.0.0.1@1', consumerGroup: 'cg' });
      expect(un.code).toBe(ResponseCode.SUCCESS);
      expect(f.broker.consumers.memberIds('cg')).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test('a pull without its own subscription uses the group subscription from the heartbeat', async () => {
    await f.invoke(RequestCode.HEART_BEAT, undefined, heartbeatBody('c1', 'tagged', { sub: 'keep' }));
    await send('orders', { TAGS: 'drop' }, 0, 'no');
    await send('orders', { TAGS: 'keep' }, 0, 'yes');
    const pulled = await pullOnce(f, { consumerGroup: 'tagged', topic: 'orders', sysFlag: 0 });
    expect(decodeRecords(pulled.body).map((r) => r.body.toString())).toEqual(['yes']);
  });

  test('consumer offsets: RocketMQ answers for new groups, commits via update and via pull', async () => {
    const query = (extra: Record<string, string | boolean> = {}) =>
      f.invoke(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'og', topic: 'orders', queueId: 0, ...extra });
    expect((await query()).code).toBe(ResponseCode.QUERY_NOT_FOUND);
    await send('orders', {});
    await send('orders', {});
    expect((await query()).extFields.offset).toBe('0');
    expect((await query({ setZeroIfNotFound: false })).code).toBe(ResponseCode.QUERY_NOT_FOUND);
    await f.invoke(RequestCode.HEART_BEAT, undefined, heartbeatBody('c1', 'og', { from: 'CONSUME_FROM_LAST_OFFSET' }));
    // our client asks for the kernel start position: LAST = from when the group subscribed
    expect((await query({ startPosition: true })).extFields.offset).toBe('2');
    await f.client.invokeOneway(f.address, createRequest({ code: RequestCode.UPDATE_CONSUMER_OFFSET, header: { consumerGroup: 'og', topic: 'orders', queueId: 0, commitOffset: 1 } }));
    await waitFor(async () => (await query()).extFields.offset === '1', 2_000, 'offset committed');
    await pullOnce(f, { consumerGroup: 'og', topic: 'orders', queueOffset: 1, sysFlag: 0x1 | 0x4, commitOffset: 2 });
    expect((await query()).extFields.offset).toBe('2');
  });

  test('GET_MAX_OFFSET, GET_MIN_OFFSET and SEARCH_OFFSET_BY_TIMESTAMP', async () => {
    await send('orders', {});
    await new Promise((r) => setTimeout(r, 20));
    const middle = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await send('orders', {});
    const q = { topic: 'orders', queueId: 0 };
    expect((await f.invoke(RequestCode.GET_MAX_OFFSET, q)).extFields.offset).toBe('2');
    expect((await f.invoke(RequestCode.GET_MIN_OFFSET, q)).extFields.offset).toBe('0');
    expect((await f.invoke(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { ...q, timestamp: middle })).extFields.offset).toBe('1');
  });

  test('LOCK_BATCH_MQ gives a queue to one client at a time; UNLOCK_BATCH_MQ releases it', async () => {
    await f.broker.createTopic({ topic: 'ordered', queueCount: 4 });
    const mq = (queueId: number) => ({ brokerName: 'broker-a', queueId, topic: 'ordered' });
    const lock = (clientId: string, ids: number[], code: number = RequestCode.LOCK_BATCH_MQ) =>
      f.invoke(code, undefined, Buffer.from(JSON.stringify({ clientId, consumerGroup: 'og', mqSet: ids.map(mq), onlyThisBroker: true })));
    const a = await lock('A', [0, 1]);
    expect(JSON.parse(a.body!.toString()).lockOKMQSet).toEqual([mq(0), mq(1)]);
    const b = await lock('B', [1, 2]);
    expect(JSON.parse(b.body!.toString()).lockOKMQSet).toEqual([mq(2)]);
    expect((await lock('A', [1], RequestCode.UNLOCK_BATCH_MQ)).code).toBe(ResponseCode.SUCCESS);
    expect(JSON.parse((await lock('B', [1])).body!.toString()).lockOKMQSet).toEqual([mq(1)]);
  });

  test('CONSUMER_SEND_MSG_BACK puts the message on the group retry topic after the backoff, keeping its id', async () => {
    const sent = await send('orders', { TAGS: 'a', UNIQ_KEY: 'UNIQ-1' }, 0, 'retry me');
    const back = await f.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
      offset: sent.extFields.commitLogOffset, group: 'rg', delayLevel: 0, originMsgId: 'UNIQ-1', originTopic: 'orders', unitMode: false, maxReconsumeTimes: 16,
    });
    expect(back.code).toBe(ResponseCode.SUCCESS);
    let records: ReturnType<typeof decodeRecords> = [];
    await waitFor(async () => {
      const r = await pullOnce(f, { consumerGroup: 'rg', topic: '%RETRY%rg' });
      records = decodeRecords(r.body);
      return records.length > 0;
    }, 5_000, 'retry copy');
    expect(records[0]!.body.toString()).toBe('retry me');
    expect(records[0]!.header.reconsumeTimes).toBe(1);
    expect(records[0]!.properties.get('UNIQ_KEY')).toBe('UNIQ-1');
    expect(records[0]!.properties.get('RETRY_TOPIC')).toBe('orders');
  });

  test('delayLevel -1 sends straight to the dead-letter topic', async () => {
    const sent = await send('orders', {}, 0, 'dead');
    await f.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, { offset: sent.extFields.commitLogOffset, group: 'dg', delayLevel: -1 });
    const r = await pullOnce(f, { consumerGroup: 'dg', topic: '%DLQ%dg' });
    expect(decodeRecords(r.body).map((x) => x.body.toString())).toEqual(['dead']);
  });

  test('VIEW_MESSAGE_BY_ID and QUERY_MESSAGE answer stored records', async () => {
    const sent = await send('orders', { KEYS: 'order-7' }, 1, 'seven');
    const viewed = await f.invoke(RequestCode.VIEW_MESSAGE_BY_ID, { topic: 'orders', offset: sent.extFields.commitLogOffset });
    expect(viewed.code).toBe(ResponseCode.SUCCESS);
    expect(decodeRecords(viewed.body)[0]!.body.toString()).toBe('seven');
    const missing = await f.invoke(RequestCode.VIEW_MESSAGE_BY_ID, { offset: 999_999 });
    expect(missing.code).toBe(ResponseCode.SYSTEM_ERROR);
    const byKey = await f.invoke(RequestCode.QUERY_MESSAGE, { topic: 'orders', key: 'order-7', maxNum: 32, beginTimestamp: 0, endTimestamp: Date.now() + 1000 });
    expect(byKey.code).toBe(ResponseCode.SUCCESS);
    expect(decodeRecords(byKey.body).map((r) => r.body.toString())).toEqual(['seven']);
    const outOfRange = await f.invoke(RequestCode.QUERY_MESSAGE, { topic: 'orders', key: 'order-7', maxNum: 32, beginTimestamp: 0, endTimestamp: 1 });
    expect(outOfRange.code).toBe(ResponseCode.QUERY_NOT_FOUND);
  });

  test('UPDATE_AND_CREATE_TOPIC, GET_ALL_TOPIC_CONFIG, DELETE_TOPIC_IN_BROKER', async () => {
    const created = await f.invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'made', readQueueNums: 6, writeQueueNums: 6, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false });
    expect(created.code).toBe(ResponseCode.SUCCESS);
    const all = JSON.parse((await f.invoke(RequestCode.GET_ALL_TOPIC_CONFIG)).body!.toString());
    expect(all.topicConfigTable.made).toMatchObject({ topicName: 'made', readQueueNums: 6, writeQueueNums: 6, perm: 6 });
    await f.invoke(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'made' });
    expect(f.broker.topics.get('made')).toBeUndefined();
  });
});
