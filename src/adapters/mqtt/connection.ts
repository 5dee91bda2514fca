/**
 * One client connection (TCP, TLS or WebSocket): reads bytes into mqtt-packet's
 * parser, refuses oversized packets before buffering them [MQTT-3.2.2-15 of v5: our
 * Maximum Packet Size], hands each packet to the command table, writes packets in
 * the negotiated protocol version, watches the keep alive [MQTT-3.1.2-24] and
 * closes exactly once. A malformed packet closes this connection only.
 */
import type { Duplex } from 'node:stream';
import mqtt from 'mqtt-packet';
import type { IConnectPacket, IDisconnectPacket, Packet } from 'mqtt-packet';
import type { Principal } from '../common/auth.js';
import { dispatch } from './commands/index.js';
import { MqttProtocolError } from './errors.js';
import { type AckCommand, encodeAck, encodePublish } from './fast-encode.js';
import type { MqttGateway } from './gateway.js';
import { InboundPipeline } from './inbound.js';
import { remainingExpiry } from './message-map.js';
import type { Delivery, OutboundSink } from './outbound.js';
import { ReasonCode } from './reason-codes.js';
import type { Session } from './session.js';
import type { OutboundTopicAliases } from './topic-alias-out.js';

export type ConnectionState = 'new' | 'connecting' | 'connected' | 'closed';
export type ProtocolVersion = 3 | 4 | 5;

/** answers queued for a client that does not read, before we stop reading from it */
const MAX_UNREAD_BYTES = 1024 * 1024;

/** size on the wire of a packet whose remaining length is `length` */
export function wireSize(length: number): number {
  return 1 + (length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4) + length;
}

export class Connection implements OutboundSink {
  state: ConnectionState = 'new';
  version: ProtocolVersion = 4;
  clientId = '';
  principal: Principal | undefined;
  session: Session | undefined;
  /** the client's limits on what we send (v5 CONNECT properties) */
  receiveMaximum = 65_535;
  clientMaxPacketSize: number | undefined;
  requestProblemInformation = true;
  /** inbound topic aliases [MQTT-3.3.2-12] */
  readonly topicAliases = new Map<number, string>();
  /** outbound topic aliases, up to the client's Topic Alias Maximum (set at CONNECT) */
  outboundAliases: OutboundTopicAliases | undefined;
  readonly inbound: InboundPipeline;
  /** QoS 1 PUBLISH received and not yet acknowledged (with session.awaitingRelease: our Receive Maximum) */
  unackedQoS1 = 0;
  /** a DISCONNECT with reason 0x00 arrived: the will is discarded [MQTT-3.14.4-3] */
  disconnectedNormally = false;
  connectPacket: IConnectPacket | undefined;
  /** for the admin API (connections.ts): when the socket was accepted, PUBLISH packets each way */
  readonly openedAt = Date.now();
  messagesIn = 0;
  messagesOut = 0;
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private readonly parser = mqtt.parser();
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private keepaliveMs = 0;
  private connectTimer: NodeJS.Timeout | undefined;
  /** the socket is corked until the end of this tick: what is written meanwhile leaves in one writev */
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };
  private readingPaused = false;
  private drainPaused = false;

  constructor(readonly gateway: MqttGateway, readonly socket: Duplex, readonly remoteAddress: string, _transport: 'tcp' | 'ws') {
    this.inbound = new InboundPipeline(this, gateway.limits.maxInflight, gateway.stats);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.parser.on('packet', (packet: Packet) => this.onPacket(packet));
    this.parser.on('error', (err: Error) => this.onParseError(err));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.teardown());
    socket.on('close', () => this.teardown());
    socket.on('end', () => this.teardown());
    this.connectTimer = setTimeout(() => this.destroy(), gateway.limits.connectTimeoutMs);
    this.connectTimer.unref();
  }

  /** a method, so TypeScript does not narrow `state` across awaits */
  isClosed(): boolean {
    return this.state === 'closed';
  }

  get backlogBytes(): number {
    return this.socket.writableLength;
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.parser.parse(chunk);
    // refuse an oversized packet as soon as its length is known, before buffering it
    const pending = (this.parser as unknown as { packet?: { length: number } }).packet;
    if (pending && pending.length > 0 && wireSize(pending.length) > this.gateway.limits.maxPacketSize && !this.isClosed()) {
      this.fail(new MqttProtocolError(ReasonCode.PacketTooLarge, `packet of ${wireSize(pending.length)} bytes exceeds the maximum of ${this.gateway.limits.maxPacketSize}`));
    }
  }

  private onParseError(err: Error): void {
    if (this.state === 'new' && /protocol version/i.test(err.message)) {
      // [MQTT-3.1.2-2] an unsupported protocol level: CONNACK return code 0x01 in the 3.1.1 layout, then close
      this.socket.write(Buffer.from([0x20, 0x02, 0x00, 0x01]));
      this.end();
      return;
    }
    this.fail(new MqttProtocolError(ReasonCode.MalformedPacket, `malformed packet: ${err.message}`));
  }

  private onPacket(packet: Packet): void {
    if (this.state === 'closed') return;
    this.gateway.stats.packetsIn++;
    if (packet.length !== undefined && wireSize(packet.length) > this.gateway.limits.maxPacketSize) {
      this.fail(new MqttProtocolError(ReasonCode.PacketTooLarge, `packet of ${wireSize(packet.length)} bytes exceeds the maximum of ${this.gateway.limits.maxPacketSize}`));
      return;
    }
    this.keepaliveTimer?.refresh();
    try {
      dispatch(this, packet);
    } catch (err) {
      this.fail(err);
    }
  }

  /** called by CONNECT once accepted */
  accepted(keepaliveSeconds: number): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.state = 'connected';
    if (keepaliveSeconds > 0) {
      // [MQTT-3.1.2-24] (v5 [MQTT-3.1.2-22]): 1.5 times the keep alive without a packet closes the connection
      this.keepaliveMs = Math.ceil(keepaliveSeconds * 1500);
      this.keepaliveTimer = setTimeout(() => this.fail(new MqttProtocolError(ReasonCode.KeepAliveTimeout, 'keep alive timeout')), this.keepaliveMs);
      this.keepaliveTimer.unref();
    }
  }

  /** each packet is written as one buffer (over WebSocket: one frame) */
  write(packet: Packet): boolean {
    if (this.state === 'closed' || this.socket.destroyed) return false;
    const bytes = isPlainAck(packet) ? encodeAck(packet.cmd as AckCommand, packet.messageId!) : this.generate(packet);
    if (!bytes) return false;
    this.gateway.stats.packetsOut++;
    return this.writeBytes(bytes);
  }

  private generate(packet: Packet): Buffer | undefined {
    try {
      return mqtt.generate(packet, { protocolVersion: this.version });
    } catch (err) {
      this.fail(err);
      return undefined;
    }
  }

  private writeBytes(bytes: Buffer): boolean {
    if (this.state === 'closed' || this.socket.destroyed) return false;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    const ok = this.socket.write(bytes);
    if (!ok) this.awaitDrain();
    return ok;
  }

  /**
   * A client that does not read what we answer must not make us buffer without end:
   * stop reading from it until its socket drains.
   */
  private awaitDrain(): void {
    if (this.drainPaused || this.socket.writableLength < MAX_UNREAD_BYTES) return;
    this.drainPaused = true;
    this.socket.pause();
    this.socket.once('drain', () => {
      this.drainPaused = false;
      if (!this.readingPaused && this.state !== 'closed') this.socket.resume();
    });
  }

  // ---- OutboundSink ----

  sendPublish(delivery: Delivery, messageId: number | undefined, dup: boolean): boolean {
    const m = delivery.message;
    // [MQTT-3.3.2-5] a message whose expiry passed while it waited (a persistent
    // session's backlog, a slow reader) is not sent: dropped as if sent
    if (m.expireAt !== undefined && m.expireAt <= Date.now()) {
      this.gateway.stats.expiredDropped++;
      return false;
    }
    const packet: Packet = { cmd: 'publish', topic: m.topic, payload: m.payload, qos: delivery.qos, retain: delivery.retain, dup: dup && delivery.qos > 0 };
    if (messageId !== undefined) packet.messageId = messageId;
    const alias = this.outboundAliases?.aliasFor(m.topic);
    if (this.version === 5) {
      const expiry = remainingExpiry(m.expireAt, Date.now()); // [MQTT-3.3.2-6]
      if (m.properties || expiry !== undefined || delivery.subscriptionIds || alias) {
        packet.properties = { ...m.properties };
        if (expiry !== undefined) packet.properties.messageExpiryInterval = expiry;
        if (delivery.subscriptionIds && delivery.subscriptionIds.length > 0) {
          // [MQTT-3.3.4-3] every matching subscription's identifier
          packet.properties.subscriptionIdentifier = delivery.subscriptionIds.length === 1 ? delivery.subscriptionIds[0]! : delivery.subscriptionIds;
        }
        if (alias) {
          packet.properties.topicAlias = alias.alias;
          if (alias.known) packet.topic = '';
        }
      }
    }
    const bytes = packet.properties === undefined ? encodePublish({ topic: packet.topic, payload: m.payload, qos: packet.qos, retain: packet.retain, dup: packet.dup, messageId }, this.version) : this.generate(packet);
    if (!bytes) return false;
    // [MQTT-3.1.2-24] never exceed the client's Maximum Packet Size; [MQTT-3.1.2-25] drop it as if sent
    if (this.clientMaxPacketSize !== undefined && bytes.length > this.clientMaxPacketSize) {
      if (alias && !alias.known) this.outboundAliases!.forget(m.topic);
      this.gateway.stats.oversizedDropped++;
      return false;
    }
    this.gateway.stats.messagesOut++;
    this.messagesOut++;
    this.gateway.stats.packetsOut++;
    this.writeBytes(bytes);
    return true;
  }

  sendPubrel(messageId: number): void {
    this.write({ cmd: 'pubrel', messageId });
  }

  // ---- flow control (ReadControl) ----

  pauseReading(): void {
    this.readingPaused = true;
    this.socket.pause();
  }

  answerFailed(err: unknown): void {
    this.fail(err);
  }

  resumeReading(): void {
    if (!this.readingPaused) return;
    this.readingPaused = false;
    if (this.state !== 'closed' && !this.drainPaused) this.socket.resume();
  }

  // ---- closing ----

  /** a reason string is sent only when the client did not opt out [MQTT-3.1.2-29] */
  problem(reason: string): { reasonString: string } | undefined {
    return this.requestProblemInformation ? { reasonString: reason.slice(0, 256) } : undefined;
  }

  /**
   * Closes because of `err`: an MqttProtocolError on a v5 connection first sends
   * DISCONNECT with its reason code (v5 §4.13); anything else just closes.
   */
  fail(err: unknown): void {
    if (this.state === 'closed') return;
    if (err instanceof MqttProtocolError) {
      this.gateway.logger.debug({ clientId: this.clientId, remote: this.remoteAddress, reasonCode: err.reasonCode, err: err.message }, 'mqtt connection closed on a protocol error');
      this.gateway.stats.protocolErrors++;
      this.disconnect(err.reasonCode, err.message);
      return;
    }
    this.gateway.logger.warn({ clientId: this.clientId, remote: this.remoteAddress, err }, 'mqtt connection failed');
    this.destroy();
  }

  /** server-initiated close: v5 clients that are connected get a DISCONNECT with the reason first */
  disconnect(reasonCode: ReasonCode, reason?: string): void {
    if (this.state === 'closed') return;
    if (this.version === 5 && this.state === 'connected') {
      const packet: IDisconnectPacket = { cmd: 'disconnect', reasonCode };
      // a reason string on DISCONNECT is always allowed (v5 §3.14.2.2.3)
      if (reason) packet.properties = { reasonString: reason.slice(0, 256) };
      this.write(packet);
    }
    this.end();
  }

  /** half-close after flushing what is written */
  end(): void {
    if (this.state === 'closed') return;
    this.socket.end();
    // a client that never closes its side must not hold the socket open
    setTimeout(() => this.destroy(), 2_000).unref();
    this.teardown();
  }

  destroy(): void {
    this.socket.destroy();
    this.teardown();
  }

  private teardown(): void {
    if (this.state === 'closed') return;
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    clearTimeout(this.keepaliveTimer);
    clearTimeout(this.connectTimer);
    this.parser.removeAllListeners('packet');
    this.gateway.connectionClosed(this, wasConnected).finally(() => this.resolveClosed());
  }
}

/** an acknowledgement with reason Success and no properties: the four-byte form */
function isPlainAck(packet: Packet): boolean {
  const cmd = packet.cmd;
  if (cmd !== 'puback' && cmd !== 'pubrec' && cmd !== 'pubrel' && cmd !== 'pubcomp') return false;
  const p = packet as { reasonCode?: number; properties?: object };
  return (p.reasonCode === undefined || p.reasonCode === 0) && p.properties === undefined;
}
