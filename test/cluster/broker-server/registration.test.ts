import { createRequest } from '../../../src/cluster/remoting/command.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { waitFor } from '../../helpers/kernel.js';
import { sendV2Header, startBrokerFixture, type BrokerFixture } from '../helpers/broker-fixture.js';

describe('broker server registration with nameservers', () => {
  let f: BrokerFixture;
  afterEach(async () => {
    await f.close();
  });

  const route = async (topic: string) => {
    const r = await f.client.invoke(f.nameServer!.address, createRequest({ code: RequestCode.GET_ROUTEINFO_BY_TOPIC, header: { topic } }));
    return r.code === ResponseCode.SUCCESS ? JSON.parse(r.body!.toString()) : undefined;
  };

  test('registers at start (TBW102 included while auto-create is on) and at once when topics change', async () => {
    f = await startBrokerFixture({ withNameServer: true });
    const tbw = await route('TBW102');
    expect(tbw.brokerDatas).toEqual([{ brokerAddrs: { 0: f.address }, brokerName: 'broker-a', cluster: 'DefaultCluster', enableActingMaster: false }]);
    expect(tbw.queueDatas[0]).toMatchObject({ perm: 7, writeQueueNums: 4 });
    // as a RocketMQ broker: one-queue topics named after its cluster and after itself
    expect((await route('DefaultCluster')).queueDatas[0]).toMatchObject({ brokerName: 'broker-a', writeQueueNums: 1, perm: 6 });
    expect((await route('broker-a')).queueDatas[0]).toMatchObject({ writeQueueNums: 1 });
    expect(await route('fresh')).toBeUndefined();
    const sent = await f.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Header('fresh', {}), Buffer.from('x'));
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    await waitFor(async () => (await route('fresh')) !== undefined, 3_000, 'route of an auto-created topic');
    expect((await route('fresh')).queueDatas).toEqual([{ brokerName: 'broker-a', perm: 6, readQueueNums: 4, topicSysFlag: 0, writeQueueNums: 4 }]);
    await f.broker.createTopic({ topic: 'made-in-process', queueCount: 2 });
    await waitFor(async () => (await route('made-in-process')) !== undefined, 3_000, 'route of a topic created by another user of the broker');
  });

  test('re-registers on its interval, so a short nameserver expiry keeps it; close unregisters', async () => {
    f = await startBrokerFixture({
      withNameServer: true,
      nameServerOptions: { brokerExpiryMs: 400, scanIntervalMs: 50 },
      server: { registerIntervalMs: 100 },
    });
    await f.broker.createTopic({ topic: 'kept', queueCount: 2 });
    await waitFor(async () => (await route('kept')) !== undefined, 3_000, 'route');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await route('kept')).toBeDefined();
    await f.server.close();
    expect(await route('kept')).toBeUndefined();
  });

  test('without auto-create no TBW102 route is offered; compressed registration works', async () => {
    f = await startBrokerFixture({ withNameServer: true, broker: { autoCreateTopics: false }, server: { compressRegistration: true } });
    await f.broker.createTopic({ topic: 'only', queueCount: 3 });
    await f.server.registerNow();
    expect(await route('TBW102')).toBeUndefined();
    expect((await route('only')).queueDatas[0].writeQueueNums).toBe(3);
  });
});
