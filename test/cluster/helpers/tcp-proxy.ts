/**
 * A TCP proxy on loopback for partition tests: clients connect to `address`, each
 * connection is relayed to `target`. The test controls it at any time:
 *
 *   partition()      nothing crosses, either way (a network partition: TCP holds the bytes,
 *                    so they arrive once healed, unless a peer gave up on the connection)
 *   oneWay(dir)      only `toTarget` or `toClient` bytes cross; the other way is held
 *   delay(ms)        every chunk crosses `ms` later (order kept)
 *   heal()           everything crosses again, held bytes first
 *   reset()          every open connection is destroyed now (both peers see it close)
 *   refuse(on)       new connections are closed at once while on
 */
import net from 'node:net';

export type Direction = 'toTarget' | 'toClient';

interface Held {
  chunk: Buffer;
  at: number;
}

class Pipe {
  private readonly held: Held[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly from: net.Socket, private readonly to: net.Socket, private readonly proxy: TcpProxy, private readonly dir: Direction) {
    from.on('data', (chunk: Buffer) => {
      this.held.push({ chunk, at: Date.now() + proxy.delayMs });
      this.pump();
    });
  }

  pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.proxy.open(this.dir)) return;
    const now = Date.now();
    while (this.held.length > 0 && this.held[0]!.at <= now) {
      if (this.to.destroyed) return;
      this.to.write(this.held.shift()!.chunk);
    }
    if (this.held.length > 0) this.timer = setTimeout(() => this.pump(), this.held[0]!.at - now);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

export class TcpProxy {
  delayMs = 0;
  private blocked = new Set<Direction>();
  private refusing = false;
  private readonly pipes = new Set<{ client: net.Socket; upstream: net.Socket; pipes: Pipe[] }>();

  private constructor(private readonly server: net.Server, readonly address: string) {}

  /** a proxy to `target` ("host:port") on a free loopback port */
  static start(target: string): Promise<TcpProxy> {
    const i = target.lastIndexOf(':');
    const [host, port] = [target.slice(0, i), Number(target.slice(i + 1))];
    return new Promise((resolve, reject) => {
      const ref: { proxy?: TcpProxy } = {};
      const server = net.createServer((client) => ref.proxy!.accept(client, host, port));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        ref.proxy = new TcpProxy(server, `127.0.0.1:${(server.address() as net.AddressInfo).port}`);
        resolve(ref.proxy);
      });
    });
  }

  /** @internal may bytes cross in `dir` now */
  open(dir: Direction): boolean {
    return !this.blocked.has(dir);
  }

  get connections(): number {
    return this.pipes.size;
  }

  partition(): void {
    this.blocked = new Set(['toTarget', 'toClient']);
  }

  oneWay(only: Direction): void {
    this.blocked = new Set([only === 'toTarget' ? 'toClient' : 'toTarget']);
  }

  delay(ms: number): void {
    this.delayMs = ms;
  }

  heal(): void {
    this.blocked.clear();
    this.delayMs = 0;
    for (const c of this.pipes) for (const p of c.pipes) p.pump();
  }

  reset(): void {
    for (const c of [...this.pipes]) this.drop(c);
  }

  refuse(on: boolean): void {
    this.refusing = on;
  }

  async close(): Promise<void> {
    this.reset();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, host: string, port: number): void {
    if (this.refusing) return void client.destroy();
    const upstream = net.connect({ host, port });
    const entry = { client, upstream, pipes: [new Pipe(client, upstream, this, 'toTarget'), new Pipe(upstream, client, this, 'toClient')] };
    this.pipes.add(entry);
    const end = (): void => this.drop(entry);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      s.on('error', end);
      s.on('close', end);
    }
  }

  private drop(entry: { client: net.Socket; upstream: net.Socket; pipes: Pipe[] }): void {
    if (!this.pipes.delete(entry)) return;
    for (const p of entry.pipes) p.stop();
    entry.client.destroy();
    entry.upstream.destroy();
  }
}
