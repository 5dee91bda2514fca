/** A bare MQTT client on a socket for the spec suites: sends exact packets, collects exact replies. */
import { connect as netConnect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface Wire {
  socket: Socket;
  send(p: Packet): void;
  sendRaw(bytes: Buffer | number[]): void;
  next(cmd: Packet['cmd'], timeoutMs?: number): Promise<Packet>;
  packets: Packet[];
  closed: Promise<void>;
}

export async function wire(url: string, protocolVersion: 4 | 5 = 4): Promise<Wire> {
  const socket = netConnect({ port: Number(new URL(url).port), host: '127.0.0.1' });
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: Packet[] = [];
  let wake: () => void = () => undefined;
  parser.on('packet', (p: Packet) => {
    packets.push(p);
    wake();
  });
  socket.on('data', (b) => parser.parse(b));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return {
    socket,
    packets,
    closed,
    send: (p) => void socket.write(mqttPacket.generate(p, { protocolVersion })),
    sendRaw: (bytes) => void socket.write(Buffer.from(bytes)),
    async next(cmd, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const p = packets.find((x) => x.cmd === cmd);
        if (p) {
          packets.splice(packets.indexOf(p), 1);
          return p;
        }
        if (Date.now() > deadline) throw new Error(`no ${cmd} within ${timeoutMs} ms (got ${packets.map((x) => x.cmd).join(', ')})`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 20);
        });
      }
    },
  };
}

export const connect = (clientId: string, extra: Partial<mqttPacket.IConnectPacket> = {}): mqttPacket.IConnectPacket => ({
  cmd: 'connect', clientId, protocolVersion: 4, protocolId: 'MQTT', clean: true, keepalive: 0, ...extra,
});
