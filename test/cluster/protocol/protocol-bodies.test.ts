import { deflateSync } from 'node:zlib';
import { parseFastJson, quoteBareNumberKeys } from '../../../src/cluster/protocol/fastjson.js';
import {
  bodyCrc32, decodeRegisterBrokerBody, encodeRegisterBrokerBody, type RegisterBrokerBody,
} from '../../../src/cluster/protocol/register-broker-body.js';
import { decodeTopicRouteData, encodeTopicRouteData } from '../../../src/cluster/protocol/route-data.js';

const body: RegisterBrokerBody = {
  dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter: 3 },
  topicConfigTable: {
    orders: { topicName: 'orders', readQueueNums: 8, writeQueueNums: 8, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false, attributes: {} },
  },
  filterServerList: [],
};

describe('RocketMQ JSON bodies', () => {
  test('fastjson number-keyed maps parse, strings untouched', () => {
    const text = '{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"a,1:x","cluster":"c"}],"queueDatas":[]}';
    expect(quoteBareNumberKeys('{"s":"{0:1}",0:"a"}')).toBe('{"s":"{0:1}","0":"a"}');
    const route = decodeTopicRouteData(parseFastJson(text) as Record<string, unknown>);
    expect(route.brokerDatas[0]!.brokerAddrs).toEqual({ 0: '10.0.0.1:10911', 1: '10.0.0.2:10911' });
    expect(route.brokerDatas[0]!.brokerName).toBe('a,1:x');
  });

  test('TopicRouteData is written with fastjson field names and order, standard JSON', () => {
    const bytes = encodeTopicRouteData({
      queueDatas: [{ brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }],
      brokerDatas: [{ cluster: 'DefaultCluster', brokerName: 'broker-a', brokerAddrs: { 1: 's:1', 0: 'm:1' }, enableActingMaster: false }],
      filterServerTable: {},
    });
    expect(bytes.toString()).toBe(
      '{"brokerDatas":[{"brokerAddrs":{"0":"m:1","1":"s:1"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],'
      + '"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
    );
  });

  test('RegisterBrokerBody round-trips plain and compressed', () => {
    for (const compressed of [false, true]) {
      const raw = encodeRegisterBrokerBody(body, compressed);
      const decoded = decodeRegisterBrokerBody(raw, { compressed, version: 401 });
      expect(decoded.dataVersion).toEqual(body.dataVersion);
      expect(decoded.topicConfigTable.orders).toMatchObject({ topicName: 'orders', readQueueNums: 8, writeQueueNums: 8, perm: 6 });
    }
  });

  test('reads a Java broker plain body, unknown fields ignored', () => {
    const java = '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":5,"stateVersion":0,"timestamp":1690000000000},'
      + '"topicConfigTable":{"TopicTest":{"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"TopicTest","topicSysFlag":0,"writeQueueNums":4,"attributes":{}}},'
      + '"topicQueueMappingInfoMap":{}}}';
    const decoded = decodeRegisterBrokerBody(Buffer.from(java), { compressed: false, version: 453 });
    expect(decoded.topicConfigTable.TopicTest).toEqual({
      topicName: 'TopicTest', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false, attributes: {},
    });
    expect(decoded.dataVersion.counter).toBe(5);
  });

  test('reads a Java 5 broker compressed body, topic queue mappings included', () => {
    const int = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
    const chunk = (s: string) => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
    const plain = Buffer.concat([
      chunk('{"counter":2,"stateVersion":0,"timestamp":5}'),
      int(2), chunk('a 4 4 6 SINGLE_TAG {"+delete.policy":"COMPACTION"}'), chunk('b 1 2 4 SINGLE_TAG '),
      chunk('[]'),
      int(1), chunk('{"bname":"broker-a","topic":"a","totalQueues":4}'),
    ]);
    const decoded = decodeRegisterBrokerBody(deflateSync(plain), { compressed: true, version: 453 });
    expect(Object.keys(decoded.topicConfigTable)).toEqual(['a', 'b']);
    expect(decoded.topicConfigTable.a!.attributes).toEqual({ '+delete.policy': 'COMPACTION' });
    expect(decoded.topicConfigTable.b).toMatchObject({ readQueueNums: 1, writeQueueNums: 2, perm: 4 });
  });

  test('bodyCrc32 is UtilAll.crc32: CRC32 & 0x7fffffff', () => {
    // CRC32("123456789") = 0xCBF43926; masked: 0x4BF43926
    expect(bodyCrc32(Buffer.from('123456789'))).toBe(0x4bf43926);
  });
});
