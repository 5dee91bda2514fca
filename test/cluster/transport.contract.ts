/**
 * The Transport contract (STYLE.md §5): one suite, run for every implementation
 * (transport-tcp.test.ts, transport-in-process.test.ts).
 */
import { createRequest, type RemotingCommand } from '../../src/cluster/remoting/command.js';
import { RemotingErrorCode, isRemotingError } from '../../src/cluster/remoting/errors.js';
import type { Connection, Transport, TransportServer } from '../../src/cluster/remoting/transport.js';

export interface TransportFixture {
  /** a transport whose receivers refuse frames above `maxFrameBytes` */
  make(maxFrameBytes?: number): Transport;
  /** an address where nothing listens */
  deadAddress(): Promise<string>;
  cleanup?(): Promise<void>;
}

interface Accepted {
  server: TransportServer;
  accepted: Connection[];
  next(): Promise<Connection>;
}

async function listen(transport: Transport): Promise<Accepted> {
  const accepted: Connection[] = [];
  const waiters: Array<(c: Connection) => void> = [];
  const server = await transport.listen({ port: 0 }, (c) => {
    accepted.push(c);
    waiters.shift()?.(c);
  });
  let taken = 0;
  return {
    server,
    accepted,
    next: () => (accepted.length > taken ? Promise.resolve(accepted[taken++]!) : new Promise((r) => waiters.push((c) => { taken++; r(c); }))),
  };
}

function collect(connection: Connection): { commands: RemotingCommand[]; closed: Promise<Error | undefined>; until(n: number): Promise<RemotingCommand[]> } {
  const commands: RemotingCommand[] = [];
  const waiters: Array<() => void> = [];
  connection.onCommand((cmd) => {
    commands.push(cmd);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<Error | undefined>((r) => connection.onClose(r));
  const until = async (n: number): Promise<RemotingCommand[]> => {
    while (commands.length < n) await new Promise<void>((r) => waiters.push(r));
    return commands;
  };
  return { commands, closed, until };
}

export function transportContract(name: string, fixture: () => TransportFixture): void {
  describe(`Transport contract: ${name}`, () => {
    let f: TransportFixture;
    const servers: TransportServer[] = [];
    beforeEach(() => {
      f = fixture();
    });
    afterEach(async () => {
      for (const s of servers.splice(0)) await s.close();
      await f.cleanup?.();
    });

    const start = async (maxFrameBytes?: number) => {
      const transport = f.make(maxFrameBytes);
      const l = await listen(transport);
      servers.push(l.server);
      return { transport, ...l };
    };

    test('commands travel both ways, in order, with their bodies intact', async () => {
      const { transport, server, next } = await start();
      const client = await transport.connect(server.address);
      const serverSide = await next();
      const atServer = collect(serverSide);
      const atClient = collect(client);
      for (let i = 0; i < 500; i++) client.send(createRequest({ code: 10, opaque: i, body: Buffer.from(`m${i}`) }));
      const got = await atServer.until(500);
      expect(got.map((c) => c.opaque)).toEqual([...Array(500).keys()]);
      expect(got[499]!.body!.toString()).toBe('m499');
      const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0xab);
      serverSide.send(createRequest({ code: 11, body: big, header: { k: 'v' } }));
      const [reply] = await atClient.until(1);
      expect(reply!.body!.equals(big)).toBe(true);
      expect(reply!.extFields).toEqual({ k: 'v' });
      expect(serverSide.remoteAddress).toMatch(/:\d+$/);
      expect(client.remoteAddress).toBe(server.address);
    });

    test('a close reaches the peer after the frames sent before it', async () => {
      const { transport, server, next } = await start();
      const client = await transport.connect(server.address);
      const serverSide = collect(await next());
      for (let i = 0; i < 10; i++) client.send(createRequest({ code: 10, opaque: i }));
      client.close();
      expect(client.closed).toBe(true);
      expect(client.send(createRequest({ code: 10 }))).toBe(false);
      await serverSide.closed;
      expect(serverSide.commands.map((c) => c.opaque)).toEqual([...Array(10).keys()]);
    });

    test('the server side closing is seen by the client', async () => {
      const { transport, server, next } = await start();
      const client = await transport.connect(server.address);
      const atClient = collect(client);
      (await next()).close();
      await atClient.closed;
      expect(client.closed).toBe(true);
    });

    test('closing the server closes its accepted connections', async () => {
      const { transport, server, next } = await start();
      const client = await transport.connect(server.address);
      const atClient = collect(client);
      await next();
      await server.close();
      servers.splice(servers.indexOf(server), 1);
      await atClient.closed;
      await expect(transport.connect(server.address)).rejects.toMatchObject({ code: RemotingErrorCode.ConnectFailed });
    });

    test('connecting where nothing listens fails with CONNECT_FAILED', async () => {
      const transport = f.make();
      const err = await transport.connect(await f.deadAddress()).catch((e: unknown) => e);
      expect(isRemotingError(err, RemotingErrorCode.ConnectFailed)).toBe(true);
    });

    test('an oversized frame closes that connection only', async () => {
      const { transport, server, next } = await start(4096);
      const bad = await transport.connect(server.address);
      const badAtServer = collect(await next());
      const good = await transport.connect(server.address);
      const goodAtServer = collect(await next());
      const badSeen = collect(bad);
      bad.send(createRequest({ code: 10, body: Buffer.alloc(8192) }));
      const reason = await badAtServer.closed;
      expect(isRemotingError(reason, RemotingErrorCode.FrameTooLarge)).toBe(true);
      await badSeen.closed;
      good.send(createRequest({ code: 12, opaque: 3 }));
      const [cmd] = await goodAtServer.until(1);
      expect(cmd!.opaque).toBe(3);
      expect(good.closed).toBe(false);
    });

    test('a listener that throws costs its own connection only', async () => {
      const { transport, server, next } = await start();
      const a = await transport.connect(server.address);
      const aServer = await next();
      const b = await transport.connect(server.address);
      const bServer = collect(await next());
      aServer.onCommand(() => {
        throw new Error('handler bug');
      });
      const aClosed = new Promise<Error | undefined>((r) => aServer.onClose(r));
      a.send(createRequest({ code: 10 }));
      expect((await aClosed)?.message).toBe('handler bug');
      b.send(createRequest({ code: 10, opaque: 8 }));
      expect((await bServer.until(1))[0]!.opaque).toBe(8);
    });
  });
}
