import { RouteCache } from '../../src/cluster/route-cache.js';
import { startNameServer, type NameServer } from '../../src/cluster/nameserver/nameserver.js';
import { RemotingClient } from '../../src/cluster/remoting/remoting-client.js';
import { TcpTransport } from '../../src/cluster/remoting/tcp-transport.js';
import { waitFor } from '../helpers/kernel.js';
import { freePort, startBrokerFixture, type BrokerFixture } from './helpers/broker-fixture.js';

describe('route cache over real nameservers', () => {
  let f: BrokerFixture;
  let client: RemotingClient;
  beforeEach(async () => {
    f = await startBrokerFixture({ withNameServer: true });
    client = new RemotingClient(new TcpTransport());
  });
  afterEach(async () => {
    await client.close();
    await f.close();
  });

  test('fetches a route on first use and finds the broker address in it', async () => {
    await f.broker.createTopic({ topic: 'routed', queueCount: 3 });
    await f.server.registerNow();
    const cache = new RouteCache(client, { nameServers: [f.nameServer!.address] });
    const route = await cache.route('routed');
    expect(route!.queueDatas).toEqual([{ brokerName: 'broker-a', readQueueNums: 3, writeQueueNums: 3, perm: 6, topicSysFlag: 0 }]);
    expect(cache.brokerAddress('broker-a')).toBe(f.address);
    expect(cache.brokerAddress('broker-a', 1)).toBeUndefined();
    expect(await cache.route('unknown')).toBeUndefined();
    expect((await cache.clusterInfo()).clusterAddrTable).toEqual({ DefaultCluster: ['broker-a'] });
  });

  test('skips a dead nameserver and refreshes known topics on its interval', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const cache = new RouteCache(client, { nameServers: [dead, f.nameServer!.address], startIndex: 0, refreshIntervalMs: 100, timeoutMs: 1_000 });
    await f.broker.createTopic({ topic: 'grows', queueCount: 2 });
    await f.server.registerNow();
    expect((await cache.route('grows'))!.queueDatas[0]!.writeQueueNums).toBe(2);
    cache.start();
    try {
      await f.broker.createTopic({ topic: 'grows', queueCount: 5 });
      await f.server.registerNow();
      await waitFor(() => cache.cached('grows')?.queueDatas[0]?.writeQueueNums === 5, 3_000, 'refreshed route');
    } finally {
      cache.stop();
    }
  });

  test('fails clearly when no nameserver answers', async () => {
    const ns: NameServer = await startNameServer({ port: 0 });
    const address = ns.address;
    await ns.close();
    const cache = new RouteCache(client, { nameServers: [address], timeoutMs: 500 });
    await expect(cache.route('x')).rejects.toThrow(/no nameserver answered/);
  });
});
