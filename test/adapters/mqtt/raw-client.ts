/**
 * A bare mqtt-packet client over a socket, for the situations the `mqtt` client will
 * not produce (answering only part of a QoS 2 exchange, sending DUP on purpose).
 */
import { connect as netConnect } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface RawClient {
  send(p: Packet): void;
  /** the first received packet of `cmd` not taken yet */
  next(cmd: string, timeoutMs?: number): Promise<Packet>;
  /** every packet received and not taken by `next` */
  received: Packet[];
  closed: Promise<void>;
  destroy(): void;
}

export async function rawClient(port: number, protocolVersion: 4 | 5 = 5): Promise<RawClient> {
  const socket = netConnect({ port, host: '127.0.0.1' });
  const parser = mqttPacket.parser({ protocolVersion });
  const received: Packet[] = [];
  let wakers: Array<() => void> = [];
  parser.on('packet', (p: Packet) => {
    received.push(p);
    const w = wakers;
    wakers = [];
    for (const f of w) f();
  });
  socket.on('data', (b) => parser.parse(b));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return {
    received,
    closed,
    send: (p) => void socket.write(mqttPacket.generate(p, { protocolVersion })),
    destroy: () => socket.destroy(),
    async next(cmd, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = received.findIndex((p) => p.cmd === cmd);
        if (i >= 0) return received.splice(i, 1)[0]!;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${cmd} (received: ${received.map((p) => p.cmd).join(', ')})`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          wakers.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
  };
}

/** connects a raw client with a persistent session (v5: Session Expiry of an hour) and returns its CONNACK */
export async function rawConnect(port: number, clientId: string, protocolVersion: 4 | 5 = 5): Promise<{ c: RawClient; connack: Packet }> {
  const c = await rawClient(port, protocolVersion);
  c.send({ cmd: 'connect', clientId, protocolVersion, protocolId: 'MQTT', clean: false, keepalive: 0, ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {}) });
  const connack = await c.next('connack');
  return { c, connack };
}
