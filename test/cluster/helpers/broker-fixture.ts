/**
 * A real Broker on a fresh directory behind a broker server on TCP port 0, optionally
 * registering with a nameserver, and a raw RemotingClient to speak to it the way
 * RocketMQ's Java client does (hand-built headers and bodies).
 */
import net from 'node:net';
import { Broker, type BrokerOptions } from '../../../src/kernel/broker/broker.js';
import { startBrokerServer, type BrokerServer, type BrokerServerOptions } from '../../../src/cluster/broker-server/broker-server.js';
import { startNameServer, type NameServer, type NameServerOptions } from '../../../src/cluster/nameserver/nameserver.js';
import { createRequest, type HeaderValue, type RemotingCommand } from '../../../src/cluster/remoting/command.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { readRecordParts, type RecordParts } from '../../../src/kernel/message/record-codec.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import type { Placed } from './history.js';

export interface BrokerFixture {
  broker: Broker;
  server: BrokerServer;
  nameServer?: NameServer;
  client: RemotingClient;
  address: string;
  invoke(code: number, header?: Record<string, HeaderValue>, body?: Buffer, timeoutMs?: number): Promise<RemotingCommand>;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startBrokerFixture(opts: {
  withNameServer?: boolean;
  nameServerOptions?: NameServerOptions;
  broker?: Partial<BrokerOptions>;
  server?: Partial<BrokerServerOptions>;
} = {}): Promise<BrokerFixture> {
  const temp = makeTempDir('rocketgate-broker-server-');
  const port = await freePort();
  const nameServer = opts.withNameServer ? await startNameServer({ port: 0, scanIntervalMs: 100, ...opts.nameServerOptions }) : undefined;
  const broker = await Broker.open({
    dataDir: temp.dir, brokerName: 'broker-a', storeHost: '127.0.0.1', storePort: port, flushIntervalMs: 20,
    defaultQueueCount: 4, consumerExpiryMs: 5_000, offsetPersistIntervalMs: 200, retryBackoffMs: [100, 200, 300],
    ...opts.broker,
  });
  const server = await startBrokerServer({
    broker, port, nameServers: nameServer ? [nameServer.address] : [], topicChangeCheckMs: 50, ...opts.server,
  });
  const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 10_000 });
  return {
    broker, server, nameServer, client, address: server.address,
    invoke: (code, header, body, timeoutMs) => client.invoke(server.address, createRequest({ code, header, body, language: 'JAVA' }), timeoutMs),
    close: async () => {
      await client.close();
      await server.close();
      await broker.close();
      await nameServer?.close();
      temp.cleanup();
    },
  };
}

/** NAME\u0001VALUE\u0002... as MessageDecoder.messageProperties2String writes it */
export function properties(map: Record<string, string>): string {
  return Object.entries(map).map(([k, v]) => `${k}\u0001${v}\u0002`).join('');
}

/** SendMessageRequestHeaderV2 as DefaultMQProducer fills it */
export function sendV2Header(topic: string, props: Record<string, string>, extra: Record<string, HeaderValue> = {}): Record<string, HeaderValue> {
  return {
    a: 'pg', b: topic, c: 'TBW102', d: 4, e: -1, f: 0, g: Date.now(), h: 0, i: properties(props), j: 0, k: false, m: false, n: 'broker-a', ...extra,
  };
}

/** splits a pull body into records, as MessageDecoder.decodes does */
export function decodeRecords(body: Buffer | undefined): RecordParts[] {
  const out: RecordParts[] = [];
  let pos = 0;
  while (body && pos < body.length) {
    const parts = readRecordParts(body, pos);
    out.push(parts);
    pos += parts.size;
  }
  return out;
}

/**
 * The records of `topic`'s first `queues` queues on `addr`, each queue read until a pull
 * answers other than SUCCESS (lenient; controller/controller-cluster.ts readQueues is the
 * strict reader that throws on a read stopping short of maxOffset)
 */
export async function pullAll(client: RemotingClient, addr: string, topic: string, queues: number): Promise<Placed[]> {
  const out: Placed[] = [];
  for (let queueId = 0; queueId < queues; queueId++) {
    for (let offset = 0; ;) {
      const r = await client.invoke(addr, createRequest({
        code: RequestCode.PULL_MESSAGE,
        header: { consumerGroup: 'reader', topic, queueId, queueOffset: offset, maxMsgNums: 256, sysFlag: 0x4, commitOffset: 0, suspendTimeoutMillis: 0, subscription: '*', subVersion: 0 },
      }));
      if (r.code !== ResponseCode.SUCCESS) break;
      for (const rec of decodeRecords(r.body)) out.push({ id: rec.body.toString(), queueId, queueOffset: rec.header.queueOffset });
      offset = Number(r.extFields.nextBeginOffset);
    }
  }
  return out;
}

export async function pullOnce(f: BrokerFixture, header: Record<string, HeaderValue>, timeoutMs?: number): Promise<RemotingCommand> {
  return f.invoke(RequestCode.PULL_MESSAGE, {
    consumerGroup: 'cg', queueId: 0, queueOffset: 0, maxMsgNums: 32, sysFlag: 0x4, commitOffset: 0, suspendTimeoutMillis: 0,
    subscription: '*', subVersion: 0, expressionType: 'TAG', ...header,
  }, undefined, timeoutMs);
}
