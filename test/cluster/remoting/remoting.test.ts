import net from 'node:net';
import { SerializeType, createRequest, createResponse, isOneway, type RemotingCommand } from '../../../src/cluster/remoting/command.js';
import { RemotingErrorCode } from '../../../src/cluster/remoting/errors.js';
import { FrameDecoder, encodeFrame } from '../../../src/cluster/remoting/frame-codec.js';
import { InProcessNetwork, InProcessTransport } from '../../../src/cluster/remoting/in-process-transport.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { RemotingServer } from '../../../src/cluster/remoting/remoting-server.js';
import { ResponseError } from '../../../src/cluster/remoting/request-dispatcher.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import type { Transport } from '../../../src/cluster/remoting/transport.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const transports: Array<[string, () => Transport]> = [
  ['TCP', () => new TcpTransport()],
  ['in-process', () => new InProcessTransport(new InProcessNetwork())],
];

describe.each(transports)('remoting server and client over %s', (_name, makeTransport) => {
  let transport: Transport;
  let server: RemotingServer;
  let client: RemotingClient;
  let address: string;

  beforeEach(async () => {
    transport = makeTransport();
    server = new RemotingServer(transport, { maxInFlight: 3 });
    server.register(RequestCode.GET_MAX_OFFSET, async (req) => {
      await sleep(Number(req.extFields.delay ?? 0));
      return createResponse(req, { code: ResponseCode.SUCCESS, header: { offset: req.extFields.queueId } });
    });
    server.register(RequestCode.SEND_MESSAGE, () => {
      throw new Error('processor bug');
    });
    server.register(RequestCode.PULL_MESSAGE, () => {
      throw new ResponseError(ResponseCode.PULL_NOT_FOUND, 'nothing yet', { nextBeginOffset: 4 });
    });
    ({ address } = await server.start());
    client = new RemotingClient(transport, { requestTimeoutMs: 2_000 });
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  test('concurrent invokes each get their own response by opaque', async () => {
    const responses = await Promise.all([30, 10, 0].map((delay, queueId) =>
      client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { queueId, delay } }))));
    expect(responses.map((r) => r.extFields.offset)).toEqual(['0', '1', '2']);
    expect(responses.every((r) => r.code === ResponseCode.SUCCESS)).toBe(true);
    expect(server.connections.size).toBe(1);
  });

  test('an unknown request code is answered REQUEST_CODE_NOT_SUPPORTED with a remark', async () => {
    const response = await client.invoke(address, createRequest({ code: 4711 }));
    expect(response.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(response.remark).toContain('4711 not supported');
  });

  test('a failing processor answers SYSTEM_ERROR and the connection keeps serving', async () => {
    const failed = await client.invoke(address, createRequest({ code: RequestCode.SEND_MESSAGE }));
    expect(failed.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(failed.remark).toContain('processor bug');
    const chosen = await client.invoke(address, createRequest({ code: RequestCode.PULL_MESSAGE }));
    expect(chosen).toMatchObject({ code: ResponseCode.PULL_NOT_FOUND, remark: 'nothing yet', extFields: { nextBeginOffset: '4' } });
    const ok = await client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { queueId: 9 } }));
    expect(ok.extFields.offset).toBe('9');
    expect(server.connections.size).toBe(1);
  });

  test('more requests in flight than allowed on one connection get SYSTEM_BUSY', async () => {
    const slow = () => client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { queueId: 1, delay: 100 } }));
    const results = await Promise.all([slow(), slow(), slow(), slow()]);
    expect(results.map((r) => r.code).sort()).toEqual([ResponseCode.SUCCESS, ResponseCode.SUCCESS, ResponseCode.SUCCESS, ResponseCode.SYSTEM_BUSY].sort());
  });

  test('a one-way request runs its processor and gets no response', async () => {
    const seen: RemotingCommand[] = [];
    server.register(RequestCode.UPDATE_CONSUMER_OFFSET, (req) => {
      seen.push(req);
      return createResponse(req, { code: ResponseCode.SUCCESS });
    });
    await client.invokeOneway(address, createRequest({ code: RequestCode.UPDATE_CONSUMER_OFFSET, header: { commitOffset: 5 } }));
    while (seen.length === 0) await sleep(5);
    expect(isOneway(seen[0]!)).toBe(true);
    // the response the processor built was not sent: nothing is pending, and a later call still pairs correctly
    const r = await client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { queueId: 2 } }));
    expect(r.extFields.offset).toBe('2');
  });

  test('an invoke times out, its late response is dropped and the table is empty', async () => {
    const err = await client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { queueId: 1, delay: 200 } }), 50).catch((e) => e);
    expect(err.code).toBe(RemotingErrorCode.Timeout);
    expect(client.pendingCount).toBe(0);
    await sleep(250);
    const r = await client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { queueId: 3 } }));
    expect(r.extFields.offset).toBe('3');
  });

  test('pending invokes fail when their connection closes, and the next invoke reconnects', async () => {
    const pending = client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { queueId: 1, delay: 300 } }));
    while (server.connections.size === 0) await sleep(5);
    for (const c of server.connections) c.close();
    await expect(pending).rejects.toMatchObject({ code: RemotingErrorCode.ConnectionClosed });
    const r = await client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { queueId: 4 } }));
    expect(r.extFields.offset).toBe('4');
  });

  test('the server can send one-way requests that the client processes', async () => {
    const got: string[] = [];
    client.register(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
      got.push(req.extFields.consumerGroup!);
      return undefined;
    });
    await client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { queueId: 0 } }));
    const [connection] = [...server.connections];
    expect(server.sendOneway(connection!, createRequest({ code: RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, header: { consumerGroup: 'g1' } }))).toBe(true);
    while (got.length === 0) await sleep(5);
    expect(got).toEqual(['g1']);
  });

  test('a client using the ROCKETMQ binary header is answered in binary', async () => {
    const binaryClient = new RemotingClient(transport, { serializeType: SerializeType.RocketMQ });
    try {
      const r = await binaryClient.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET, header: { queueId: 6 } }));
      expect(r.serializeType).toBe(SerializeType.RocketMQ);
      expect(r.extFields.offset).toBe('6');
    } finally {
      await binaryClient.close();
    }
  });

  test('a response that cannot be encoded becomes a SYSTEM_ERROR response', async () => {
    server.register(RequestCode.GET_MIN_OFFSET, (req) => createResponse(req, { code: ResponseCode.SUCCESS, remark: 'x'.repeat(17 * 1024 * 1024) }));
    const r = await client.invoke(address, createRequest({ code: RequestCode.GET_MIN_OFFSET }));
    expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r.remark).toContain('could not be encoded');
  });

  test('calls after close fail with CLOSED, as do connects to nowhere', async () => {
    const other = new RemotingClient(transport);
    await other.close();
    await expect(other.invoke(address, createRequest({ code: 30 }))).rejects.toMatchObject({ code: RemotingErrorCode.Closed });
    await server.close();
    await expect(client.invoke(address, createRequest({ code: 30 }))).rejects.toMatchObject({ code: RemotingErrorCode.ConnectFailed });
  });
});

describe('a bad TCP peer never disturbs another', () => {
  test('garbage and oversized frames close only the sender', async () => {
    const server = new RemotingServer(new TcpTransport({ maxFrameBytes: 64 * 1024 }));
    server.register(RequestCode.GET_MAX_OFFSET, (req) => createResponse(req, { code: ResponseCode.SUCCESS, header: { offset: 1 } }));
    const { port, address } = await server.start();
    const client = new RemotingClient(new TcpTransport());
    const closeReasons: string[] = [];
    server.onConnectionClose((_c, reason) => closeReasons.push(reason?.message ?? 'closed'));
    try {
      await client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET }));
      const rawClosed = (payload: Buffer) => new Promise<void>((resolve) => {
        const raw = net.connect(port, '127.0.0.1', () => raw.write(payload));
        raw.on('close', () => resolve());
        raw.on('error', () => undefined);
      });
      const oversized = Buffer.alloc(8);
      oversized.writeInt32BE(1024 * 1024);
      await rawClosed(oversized);
      await rawClosed(Buffer.concat([Buffer.from([0, 0, 0, 12, 0, 0, 0, 8]), Buffer.from('{"code":x}')]));
      expect(closeReasons.some((r) => r.includes('exceeds the maximum'))).toBe(true);
      expect(closeReasons.some((r) => r.includes('JSON header does not parse'))).toBe(true);
      const r = await client.invoke(address, createRequest({ code: RequestCode.GET_MAX_OFFSET }));
      expect(r.extFields.offset).toBe('1');
    } finally {
      await client.close();
      await server.close();
    }
  });

  test('a raw Java-style request over TCP gets a JSON response with the same opaque', async () => {
    const server = new RemotingServer(new TcpTransport());
    server.register(RequestCode.GET_MAX_OFFSET, (req) => createResponse(req, { code: ResponseCode.SUCCESS, header: { offset: 77 } }));
    const { port } = await server.start();
    try {
      const header = Buffer.from('{"code":30,"extFields":{"topic":"t","queueId":"0"},"flag":0,"language":"JAVA","opaque":1234,"serializeTypeCurrentRPC":"JSON","version":317}');
      const frame = Buffer.alloc(8 + header.length);
      frame.writeInt32BE(4 + header.length, 0);
      frame.writeInt32BE(header.length, 4);
      header.copy(frame, 8);
      const response = await new Promise<RemotingCommand>((resolve, reject) => {
        const decoder = new FrameDecoder();
        const raw = net.connect(port, '127.0.0.1', () => raw.write(frame));
        raw.on('data', (chunk) => {
          const [cmd] = decoder.push(chunk);
          if (cmd) {
            raw.destroy();
            resolve(cmd);
          }
        });
        raw.on('error', reject);
      });
      expect(response).toMatchObject({ code: 0, opaque: 1234, flag: 1, extFields: { offset: '77' }, serializeType: SerializeType.Json });
      expect(encodeFrame(response).readInt32BE(4) >>> 24).toBe(0);
    } finally {
      await server.close();
    }
  });
});
