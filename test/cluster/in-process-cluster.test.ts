/** A whole cluster in one process over the in-process transport: nameserver, broker server, client. */
import { Broker } from '../../src/kernel/broker/broker.js';
import { startBrokerServer } from '../../src/cluster/broker-server/broker-server.js';
import { startNameServer } from '../../src/cluster/nameserver/nameserver.js';
import { createRequest } from '../../src/cluster/remoting/command.js';
import { InProcessNetwork, InProcessTransport } from '../../src/cluster/remoting/in-process-transport.js';
import { RemotingClient } from '../../src/cluster/remoting/remoting-client.js';
import { RequestCode, ResponseCode } from '../../src/cluster/remoting/request-codes.js';
import { RouteCache } from '../../src/cluster/route-cache.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { decodeRecords, sendV2Header } from './helpers/broker-fixture.js';

test('route lookup, send and pull across an in-process cluster', async () => {
  const transport = new InProcessTransport(new InProcessNetwork());
  const temp = makeTempDir('rocketgate-inproc-cluster-');
  const ns = await startNameServer({ port: 0, transport });
  const broker = await Broker.open({ dataDir: temp.dir, brokerName: 'broker-a', storeHost: '127.0.0.1', storePort: 10911, flushIntervalMs: 20, defaultQueueCount: 2 });
  const server = await startBrokerServer({ broker, port: 0, transport, nameServers: [ns.address] });
  const client = new RemotingClient(transport);
  try {
    await broker.createTopic({ topic: 'inproc', queueCount: 2 });
    await server.registerNow();
    const cache = new RouteCache(client, { nameServers: [ns.address] });
    await cache.route('inproc');
    const addr = cache.brokerAddress('broker-a')!;
    expect(addr).toBe(server.address);
    const sent = await client.invoke(addr, createRequest({ code: RequestCode.SEND_MESSAGE_V2, header: sendV2Header('inproc', { TAGS: 'x' }, { e: 1 }), body: Buffer.from('over memory') }));
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    const pulled = await client.invoke(addr, createRequest({
      code: RequestCode.PULL_MESSAGE,
      header: { consumerGroup: 'g', topic: 'inproc', queueId: 1, queueOffset: 0, maxMsgNums: 8, sysFlag: 0x4, commitOffset: 0, suspendTimeoutMillis: 0, subscription: '*', subVersion: 0 },
    }));
    expect(decodeRecords(pulled.body).map((r) => r.body.toString())).toEqual(['over memory']);
  } finally {
    await client.close();
    await server.close();
    await broker.close();
    await ns.close();
    temp.cleanup();
  }
});
