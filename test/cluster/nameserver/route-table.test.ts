import { RouteTable, type RegisterBrokerInput } from '../../../src/cluster/nameserver/route-table.js';
import type { TopicConfig } from '../../../src/cluster/protocol/route-data.js';

const topic = (name: string, queues = 4, perm = 6): TopicConfig => ({
  topicName: name, readQueueNums: queues, writeQueueNums: queues, perm, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false, attributes: {},
});

function reg(overrides: Partial<RegisterBrokerInput> = {}): RegisterBrokerInput {
  return {
    clusterName: 'DefaultCluster', brokerAddr: '10.0.0.1:10911', brokerName: 'broker-a', brokerId: 0, haServerAddr: '10.0.0.1:10912',
    dataVersion: { stateVersion: 0, timestamp: 1000, counter: 1 },
    topicConfigTable: { orders: topic('orders'), audit: topic('audit', 2) },
    connectionId: 'c1',
    ...overrides,
  };
}

describe('RouteTable (RocketMQ RouteInfoManager)', () => {
  let now = 0;
  let table: RouteTable;
  beforeEach(() => {
    now = 1_000_000;
    table = new RouteTable({ brokerExpiryMs: 120_000, now: () => now });
  });

  test('a master registration makes routes for its topics', () => {
    expect(table.registerBroker(reg())).toEqual({});
    expect(table.pickupTopicRouteData('orders')).toEqual({
      queueDatas: [{ brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }],
      brokerDatas: [{ cluster: 'DefaultCluster', brokerName: 'broker-a', brokerAddrs: { 0: '10.0.0.1:10911' }, enableActingMaster: false }],
      filterServerTable: {},
    });
    expect(table.pickupTopicRouteData('nope')).toBeUndefined();
    expect(table.clusterInfo().clusterAddrTable).toEqual({ DefaultCluster: ['broker-a'] });
    expect(table.topics()).toEqual(['audit', 'orders']);
  });

  test('a slave joins the group, learns its master and HA address, and does not change queue data', () => {
    table.registerBroker(reg());
    const result = table.registerBroker(reg({ brokerAddr: '10.0.0.2:10911', brokerId: 1, connectionId: 'c2', topicConfigTable: { orders: topic('orders', 16), audit: topic('audit') } }));
    expect(result).toEqual({ masterAddr: '10.0.0.1:10911', haServerAddr: '10.0.0.1:10912' });
    const route = table.pickupTopicRouteData('orders')!;
    expect(route.brokerDatas[0]!.brokerAddrs).toEqual({ 0: '10.0.0.1:10911', 1: '10.0.0.2:10911' });
    expect(route.queueDatas[0]!.readQueueNums).toBe(4);
  });

  test('queue data changes only when the broker dataVersion moves', () => {
    table.registerBroker(reg());
    table.registerBroker(reg({ topicConfigTable: { orders: topic('orders', 8), audit: topic('audit', 2) } }));
    expect(table.pickupTopicRouteData('orders')!.queueDatas[0]!.writeQueueNums).toBe(4);
    table.registerBroker(reg({ dataVersion: { stateVersion: 0, timestamp: 2000, counter: 2 }, topicConfigTable: { orders: topic('orders', 8), audit: topic('audit', 2) } }));
    expect(table.pickupTopicRouteData('orders')!.queueDatas[0]!.writeQueueNums).toBe(8);
  });

  test('a single-topic registration before the first full one is refused', () => {
    expect(table.registerBroker(reg({ topicConfigTable: { orders: topic('orders') } }))).toBeUndefined();
    expect(table.pickupTopicRouteData('orders')).toBeUndefined();
  });

  test('a broker silent past its expiry is dropped with its queue data', () => {
    table.registerBroker(reg());
    table.registerBroker(reg({ brokerName: 'broker-b', brokerAddr: '10.0.0.3:10911', connectionId: 'c3', heartbeatTimeoutMillis: 10_000 }));
    now += 10_001;
    expect(table.scanNotActiveBrokers()).toEqual(['10.0.0.3:10911']);
    expect(table.pickupTopicRouteData('orders')!.brokerDatas.map((b) => b.brokerName)).toEqual(['broker-a']);
    now += 110_000;
    expect(table.scanNotActiveBrokers()).toEqual(['10.0.0.1:10911']);
    expect(table.pickupTopicRouteData('orders')).toBeUndefined();
    expect(table.clusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
  });

  test('a registration keeps a broker alive; touch (data version query, heartbeat) does too', () => {
    table.registerBroker(reg());
    now += 100_000;
    expect(table.touch('DefaultCluster', '10.0.0.1:10911')).toBe(true);
    now += 100_000;
    expect(table.scanNotActiveBrokers()).toEqual([]);
    expect(table.touch('DefaultCluster', '10.9.9.9:1')).toBe(false);
  });

  test('a closed connection drops the brokers registered over it at once', () => {
    table.registerBroker(reg());
    table.registerBroker(reg({ brokerAddr: '10.0.0.2:10911', brokerId: 1, connectionId: 'c2' }));
    expect(table.connectionClosed('c2')).toEqual(['10.0.0.2:10911']);
    expect(table.pickupTopicRouteData('orders')!.brokerDatas[0]!.brokerAddrs).toEqual({ 0: '10.0.0.1:10911' });
    expect(table.connectionClosed('c1')).toEqual(['10.0.0.1:10911']);
    expect(table.pickupTopicRouteData('orders')).toBeUndefined();
  });

  test('unregister removes the address and the group once it is empty', () => {
    table.registerBroker(reg());
    table.unregisterBroker({ clusterName: 'DefaultCluster', brokerAddr: '10.0.0.1:10911', brokerName: 'broker-a', brokerId: 0 });
    expect(table.pickupTopicRouteData('orders')).toBeUndefined();
    expect(table.brokerLiveTable.size).toBe(0);
  });

  test('a slave promoted to master keeps one id per address', () => {
    table.registerBroker(reg());
    table.registerBroker(reg({ brokerAddr: '10.0.0.2:10911', brokerId: 1, connectionId: 'c2' }));
    table.connectionClosed('c1');
    table.registerBroker(reg({ brokerAddr: '10.0.0.2:10911', brokerId: 0, connectionId: 'c2' }));
    expect(table.pickupTopicRouteData('orders')!.brokerDatas[0]!.brokerAddrs).toEqual({ 0: '10.0.0.2:10911' });
  });

  test('with deleteTopicWithBrokerRegistration a topic missing from a registration loses that broker', () => {
    table = new RouteTable({ deleteTopicWithBrokerRegistration: true, now: () => now });
    table.registerBroker(reg());
    table.registerBroker(reg({ dataVersion: { stateVersion: 0, timestamp: 2, counter: 2 }, topicConfigTable: { orders: topic('orders'), other: topic('other') } }));
    expect(table.pickupTopicRouteData('audit')).toBeUndefined();
    expect(table.topics()).toEqual(['orders', 'other']);
  });

  test('DELETE_TOPIC_IN_NAMESRV semantics: one cluster or all', () => {
    table.registerBroker(reg());
    table.registerBroker(reg({ clusterName: 'Other', brokerName: 'broker-x', brokerAddr: '10.1.0.1:10911', connectionId: 'c9' }));
    table.deleteTopic('orders', 'Other');
    expect(table.pickupTopicRouteData('orders')!.brokerDatas.map((b) => b.brokerName)).toEqual(['broker-a']);
    table.deleteTopic('orders');
    expect(table.pickupTopicRouteData('orders')).toBeUndefined();
  });
});
