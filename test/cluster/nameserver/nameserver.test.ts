import { createRequest, type RemotingCommand } from '../../../src/cluster/remoting/command.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { startNameServer, type NameServer } from '../../../src/cluster/nameserver/nameserver.js';
import { bodyCrc32, encodeRegisterBrokerBody } from '../../../src/cluster/protocol/register-broker-body.js';
import { waitFor } from '../../helpers/kernel.js';

function javaBrokerBody(counter: number, topics: Record<string, number>): Buffer {
  const table = Object.fromEntries(Object.entries(topics).map(([name, queues]) => [name, {
    order: false, perm: 6, readQueueNums: queues, topicFilterType: 'SINGLE_TAG', topicName: name, topicSysFlag: 0, writeQueueNums: queues,
  }]));
  return Buffer.from(JSON.stringify({
    filterServerList: [],
    topicConfigSerializeWrapper: { dataVersion: { counter, stateVersion: 0, timestamp: 1_700_000_000_000 + counter }, topicConfigTable: table },
  }));
}

function registerRequest(opts: { addr: string; name?: string; id?: number; body: Buffer; crc?: number; compressed?: boolean }): RemotingCommand {
  return createRequest({
    code: RequestCode.REGISTER_BROKER,
    header: {
      brokerName: opts.name ?? 'broker-a', brokerAddr: opts.addr, clusterName: 'DefaultCluster', haServerAddr: opts.addr.replace(/\d+$/, '10912'),
      brokerId: opts.id ?? 0, compressed: opts.compressed ?? false, bodyCrc32: opts.crc ?? bodyCrc32(opts.body), enableActingMaster: false,
    },
    body: opts.body,
    language: 'JAVA',
  });
}

describe('nameserver over TCP', () => {
  let ns: NameServer;
  let client: RemotingClient;

  beforeEach(async () => {
    ns = await startNameServer({ port: 0, brokerExpiryMs: 300, scanIntervalMs: 50 });
    client = new RemotingClient(new TcpTransport());
  });

  afterEach(async () => {
    await client.close();
    await ns.close();
  });

  const routeOf = (topic: string, c = client) => c.invoke(ns.address, createRequest({ code: RequestCode.GET_ROUTEINFO_BY_TOPIC, header: { topic } }));

  test('REGISTER_BROKER then GET_ROUTEINFO_BY_TOPIC answers RocketMQ TopicRouteData JSON', async () => {
    const reg = await client.invoke(ns.address, registerRequest({ addr: '127.0.0.1:10911', body: javaBrokerBody(1, { TopicTest: 4, other: 2 }) }));
    expect(reg.code).toBe(ResponseCode.SUCCESS);
    const route = await routeOf('TopicTest');
    expect(route.code).toBe(ResponseCode.SUCCESS);
    expect(JSON.parse(route.body!.toString())).toEqual({
      brokerDatas: [{ brokerAddrs: { 0: '127.0.0.1:10911' }, brokerName: 'broker-a', cluster: 'DefaultCluster', enableActingMaster: false }],
      filterServerTable: {},
      queueDatas: [{ brokerName: 'broker-a', perm: 6, readQueueNums: 4, topicSysFlag: 0, writeQueueNums: 4 }],
    });
    const missing = await routeOf('nope');
    expect(missing.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(missing.remark).toContain('No topic route info in name server for the topic: nope');
  });

  test('a slave registration is answered with its master and HA addresses; cluster info lists both', async () => {
    await client.invoke(ns.address, registerRequest({ addr: '127.0.0.1:10911', body: javaBrokerBody(1, { t: 4, u: 4 }) }));
    const slave = await client.invoke(ns.address, registerRequest({ addr: '127.0.0.1:20911', id: 1, body: javaBrokerBody(1, { t: 4, u: 4 }) }));
    expect(slave.extFields).toEqual({ masterAddr: '127.0.0.1:10911', haServerAddr: '127.0.0.1:10912' });
    const info = await client.invoke(ns.address, createRequest({ code: RequestCode.GET_BROKER_CLUSTER_INFO }));
    expect(JSON.parse(info.body!.toString())).toEqual({
      brokerAddrTable: { 'broker-a': { brokerAddrs: { 0: '127.0.0.1:10911', 1: '127.0.0.1:20911' }, brokerName: 'broker-a', cluster: 'DefaultCluster', enableActingMaster: false } },
      clusterAddrTable: { DefaultCluster: ['broker-a'] },
    });
  });

  test('a compressed body registers; a CRC mismatch is refused with RocketMQ remark', async () => {
    const body = encodeRegisterBrokerBody({
      dataVersion: { stateVersion: 0, timestamp: 1, counter: 1 },
      topicConfigTable: {
        z1: { topicName: 'z1', readQueueNums: 3, writeQueueNums: 3, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false, attributes: {} },
        z2: { topicName: 'z2', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false, attributes: {} },
      },
      filterServerList: [],
    }, true);
    const bad = await client.invoke(ns.address, registerRequest({ addr: '127.0.0.1:10911', body, compressed: true, crc: 12345 }));
    expect(bad).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'crc32 not match' });
    const ok = await client.invoke(ns.address, registerRequest({ addr: '127.0.0.1:10911', body, compressed: true }));
    expect(ok.code).toBe(ResponseCode.SUCCESS);
    expect(JSON.parse((await routeOf('z1')).body!.toString()).queueDatas[0].writeQueueNums).toBe(3);
  });

  test('a broker whose connection closes is dropped at once', async () => {
    const brokerClient = new RemotingClient(new TcpTransport());
    await brokerClient.invoke(ns.address, registerRequest({ addr: '127.0.0.1:10911', body: javaBrokerBody(1, { t: 4, u: 1 }) }));
    expect((await routeOf('t')).code).toBe(ResponseCode.SUCCESS);
    await brokerClient.close();
    await waitFor(async () => (await routeOf('t')).code === ResponseCode.TOPIC_NOT_EXIST, 2_000, 'route dropped');
    expect(ns.routes.brokerLiveTable.size).toBe(0);
  });

  test('a broker silent past brokerExpiryMs is dropped by the scan while its connection stays open', async () => {
    const brokerClient = new RemotingClient(new TcpTransport());
    try {
      await brokerClient.invoke(ns.address, registerRequest({ addr: '127.0.0.1:10911', body: javaBrokerBody(1, { t: 4, u: 1 }) }));
      const registeredAt = Date.now();
      await waitFor(async () => (await routeOf('t')).code === ResponseCode.TOPIC_NOT_EXIST, 3_000, 'route expired');
      expect(Date.now() - registeredAt).toBeGreaterThanOrEqual(250);
    } finally {
      await brokerClient.close();
    }
  });

  test('re-registering keeps a broker alive past the expiry', async () => {
    const body = javaBrokerBody(1, { t: 4, u: 1 });
    const started = Date.now();
    while (Date.now() - started < 700) {
      await client.invoke(ns.address, registerRequest({ addr: '127.0.0.1:10911', body }));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await routeOf('t')).code).toBe(ResponseCode.SUCCESS);
  });

  test('QUERY_DATA_VERSION tells a broker whether its registration is current', async () => {
    const body = javaBrokerBody(7, { t: 4, u: 1 });
    await client.invoke(ns.address, registerRequest({ addr: '127.0.0.1:10911', body }));
    const query = (counter: number) => client.invoke(ns.address, createRequest({
      code: RequestCode.QUERY_DATA_VERSION,
      header: { brokerAddr: '127.0.0.1:10911', brokerName: 'broker-a', clusterName: 'DefaultCluster', brokerId: 0 },
      body: Buffer.from(JSON.stringify({ counter, stateVersion: 0, timestamp: 1_700_000_000_000 + counter })),
    }));
    expect((await query(7)).extFields.changed).toBe('false');
    const changed = await query(8);
    expect(changed.extFields.changed).toBe('true');
    expect(JSON.parse(changed.body!.toString()).counter).toBe(7);
  });

  test('UNREGISTER_BROKER, topic list and DELETE_TOPIC_IN_NAMESRV', async () => {
    await client.invoke(ns.address, registerRequest({ addr: '127.0.0.1:10911', body: javaBrokerBody(1, { t: 4, u: 1 }) }));
    const list = await client.invoke(ns.address, createRequest({ code: RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER }));
    expect(JSON.parse(list.body!.toString())).toEqual({ topicList: ['t', 'u'] });
    await client.invoke(ns.address, createRequest({ code: RequestCode.DELETE_TOPIC_IN_NAMESRV, header: { topic: 'u' } }));
    expect((await routeOf('u')).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    const un = await client.invoke(ns.address, createRequest({
      code: RequestCode.UNREGISTER_BROKER, header: { clusterName: 'DefaultCluster', brokerAddr: '127.0.0.1:10911', brokerName: 'broker-a', brokerId: 0 },
    }));
    expect(un.code).toBe(ResponseCode.SUCCESS);
    expect((await routeOf('t')).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  test('a request missing a required header field is answered, not fatal', async () => {
    const r = await client.invoke(ns.address, createRequest({ code: RequestCode.GET_ROUTEINFO_BY_TOPIC }));
    expect(r).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'the custom field <topic> is null' });
    expect((await routeOf('x')).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });
});
