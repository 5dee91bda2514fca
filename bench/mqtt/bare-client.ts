/**
 * The load generator's MQTT client: mqtt-packet over a plain socket, no library
 * logic in the way (no stores, no timers, no reconnects). QoS 1 publishes resolve on
 * PUBACK; received QoS 1 messages are acknowledged at once.
 */
import { connect as netConnect, type Socket } from 'node:net';
import mqtt from 'mqtt-packet';
import type { IPublishPacket, Packet, QoS } from 'mqtt-packet';

export class BareClient {
  private socket!: Socket;
  private readonly parser = mqtt.parser({ protocolVersion: 4 });
  private nextId = 1;
  private readonly pending = new Map<number, () => void>();
  private waiters: Array<{ cmd: string; resolve: (p: Packet) => void }> = [];
  onMessage: (packet: IPublishPacket) => void = () => undefined;

  constructor(private readonly port: number, readonly clientId: string) {}

  async connect(): Promise<void> {
    this.socket = netConnect({ port: this.port, host: '127.0.0.1', noDelay: true });
    this.socket.on('data', (b) => this.parser.parse(b));
    this.socket.on('error', () => undefined);
    this.parser.on('packet', (p: Packet) => this.onPacket(p));
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    const connack = this.expect('connack');
    this.write({ cmd: 'connect', clientId: this.clientId, protocolVersion: 4, protocolId: 'MQTT', clean: true, keepalive: 0 });
    const ack = (await connack) as { returnCode?: number };
    if (ack.returnCode) throw new Error(`CONNACK ${ack.returnCode}`);
  }

  async subscribe(topic: string, qos: QoS): Promise<void> {
    const suback = this.expect('suback');
    this.write({ cmd: 'subscribe', messageId: this.id(), subscriptions: [{ topic, qos }] });
    await suback;
  }

  /** QoS 0: resolves at once; QoS 1: on PUBACK. `false` from write → wait for drain first */
  publish(topic: string, payload: Buffer, qos: QoS): Promise<void> | undefined {
    if (qos === 0) {
      this.write({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false });
      return undefined;
    }
    const messageId = this.id();
    const acked = new Promise<void>((resolve) => this.pending.set(messageId, resolve));
    this.write({ cmd: 'publish', topic, payload, qos, retain: false, dup: false, messageId });
    return acked;
  }

  get writable(): boolean {
    return this.socket.writableLength < 1 << 20;
  }

  drained(): Promise<void> {
    return new Promise((r) => this.socket.once('drain', () => r()));
  }

  close(): void {
    this.write({ cmd: 'disconnect' });
    this.socket.end();
  }

  private id(): number {
    const id = this.nextId;
    this.nextId = id >= 65_535 ? 1 : id + 1;
    return id;
  }

  private write(packet: Packet): void {
    mqtt.writeToStream(packet, this.socket);
  }

  private expect(cmd: string): Promise<Packet> {
    return new Promise((resolve) => this.waiters.push({ cmd, resolve }));
  }

  private onPacket(p: Packet): void {
    if (p.cmd === 'publish') {
      this.onMessage(p);
      if (p.qos === 1) this.write({ cmd: 'puback', messageId: p.messageId });
      return;
    }
    if (p.cmd === 'puback') {
      const done = this.pending.get(p.messageId!);
      this.pending.delete(p.messageId!);
      done?.();
      return;
    }
    const i = this.waiters.findIndex((w) => w.cmd === p.cmd);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(p);
  }
}
