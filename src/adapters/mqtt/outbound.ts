/**
 * The outbound side of one session: QoS 1/2 messages in flight to the client by
 * packet identifier, at most `window` at once (the client's Receive Maximum
 * [MQTT-3.3.4-7] and our own cap), the rest queued up to a bound. Each delivery is
 * settled once: when the client acknowledged it (PUBACK, PUBCOMP), when a QoS 0
 * message was written, or (false) when it was dropped. The kernel reader behind a
 * persistent session resolves its offsets from these settlements.
 *
 * A persistent session keeps its in-flight messages across a reconnect and sends them
 * again with their original identifiers and DUP set, PUBREL for those past PUBREC
 * [MQTT-4.4.0-1]. With `durability` set (a persistent session), each QoS 2 message
 * read from the kernel has its identifier and stage journaled before the packet goes
 * out, and after a restart (`restore`) the same kernel message, read again, resumes
 * its exchange where it was instead of starting a new one.
 */
import type { QoS } from 'mqtt-packet';
import type { OutboundMessage } from './message-map.js';

export interface Delivery {
  message: OutboundMessage;
  /** QoS on the wire: min(published, granted) */
  qos: QoS;
  /** RETAIN flag on the wire */
  retain: boolean;
  subscriptionIds?: number[];
  /** called once: true when delivered (acknowledged, or written for QoS 0), false when dropped */
  settle?: (delivered: boolean) => void;
  /** where the kernel stored it (a persistent session's own reads): names it across a restart */
  origin?: Origin;
}

export interface Origin {
  topic: string;
  queueId: number;
  offset: number;
}

/** a journaled QoS 2 exchange: the id a kernel message was sent with and how far it got */
export interface Qos2Entry extends Origin {
  id: number;
  /** PUBLISH sent, PUBREL sent, or PUBCOMP received (kept until the offset is committed past it) */
  stage: 'publish' | 'release' | 'complete';
}

/** journals the session's QoS 2 state (qos2-journal.ts); resolves once stored */
export interface Qos2Durability {
  changed(): Promise<void>;
}

function originKey(o: Origin): string {
  return `${o.topic}\u0000${o.queueId}\u0000${o.offset}`;
}

/** what the outbound side needs from the connection it is attached to */
export interface OutboundSink {
  readonly receiveMaximum: number;
  /** false when the packet was not written (too large for the client: [MQTT-3.1.2-25] treat as sent) */
  sendPublish(delivery: Delivery, messageId: number | undefined, dup: boolean): boolean;
  sendPubrel(messageId: number): void;
  /** bytes queued on the socket, to shed QoS 0 for a client that does not read */
  readonly backlogBytes: number;
}

interface Inflight {
  delivery: Delivery;
  /** waiting for PUBACK/PUBREC ("publish") or PUBCOMP ("release") */
  stage: 'publish' | 'release';
  /** false while its journal entry is being written: nothing is sent for it yet */
  ready: boolean;
}

export interface OutboundStats {
  dropped: number;
}

/** QoS 0 is shed for a client whose socket holds more than this */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

export class Outbound {
  private sink: OutboundSink | undefined;
  private window = 1;
  private readonly inflight = new Map<number, Inflight>();
  private readonly queue: Delivery[] = [];
  private queueHead = 0;
  private nextId = 1;
  private capacityWaiters: Array<() => void> = [];
  durability: Qos2Durability | undefined;
  /** journaled exchanges from before a restart, waiting for their kernel message to be read again */
  private readonly restored = new Map<string, Qos2Entry>();
  /** completed exchanges whose offset is not committed yet: read again, they are not sent */
  private readonly completed = new Map<string, Qos2Entry>();
  /** ids held by restored exchanges */
  private readonly reserved = new Set<number>();

  constructor(private readonly options: { maxInflight: number; maxQueued: number; stats: OutboundStats }) {}

  get inflightCount(): number {
    return this.inflight.size;
  }

  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  get attached(): boolean {
    return this.sink !== undefined;
  }

  attach(sink: OutboundSink): void {
    this.sink = sink;
    this.window = Math.max(1, Math.min(sink.receiveMaximum, this.options.maxInflight));
    // [MQTT-4.4.0-1] unacknowledged PUBLISH again with DUP and the same id, PUBREL for released ones
    for (const [id, entry] of this.inflight) {
      if (!entry.ready) continue;
      if (entry.stage === 'release') sink.sendPubrel(id);
      else if (!sink.sendPublish(entry.delivery, id, true)) this.complete(id);
    }
    this.pump();
  }

  detach(): void {
    this.sink = undefined;
  }

  /** false when it was dropped (queue full, or QoS 0 while detached or backlogged) */
  deliver(delivery: Delivery): boolean {
    const sink = this.sink;
    if (delivery.origin && (this.restored.size > 0 || this.completed.size > 0) && this.resume(delivery)) return true;
    if (delivery.qos === 0) {
      if (!sink || sink.backlogBytes > MAX_BACKLOG_BYTES) return this.drop(delivery);
      sink.sendPublish(delivery, undefined, false);
      delivery.settle?.(true);
      return true;
    }
    if (sink && this.inflight.size < this.window && this.queued === 0) {
      this.send(sink, delivery);
      return true;
    }
    if (this.queued >= this.options.maxQueued) return this.drop(delivery);
    this.queue.push(delivery);
    return true;
  }

  /** room for more without exceeding the window plus a batch: what kernel readers wait for */
  hasCapacity(): boolean {
    return this.sink !== undefined && this.inflight.size + this.queued < this.window * 2;
  }

  whenCapacity(): Promise<void> {
    if (this.hasCapacity()) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  onPuback(id: number): boolean {
    const entry = this.inflight.get(id);
    if (!entry || entry.stage !== 'publish' || entry.delivery.qos !== 1) return false;
    this.complete(id);
    return true;
  }

  /** a PUBREC with a failure reason code (>= 0x80) ends the exchange (v5 §4.3.3); otherwise PUBREL follows */
  onPubrec(id: number, reasonCode: number | undefined): boolean {
    const entry = this.inflight.get(id);
    if (!entry || entry.delivery.qos !== 2) return false;
    if (reasonCode !== undefined && reasonCode >= 0x80) {
      this.complete(id);
      return true;
    }
    if (entry.stage === 'release') {
      this.sink?.sendPubrel(id);
      return true;
    }
    entry.stage = 'release';
    if (this.durable(entry.delivery)) {
      // journaled before PUBREL: after a restart the message must never be published again
      entry.ready = false;
      this.durability!.changed().catch(() => undefined).then(() => {
        entry.ready = true;
        if (this.inflight.get(id) === entry) this.sink?.sendPubrel(id);
      });
      return true;
    }
    this.sink?.sendPubrel(id); // [MQTT-4.3.3-4]
    return true;
  }

  onPubcomp(id: number): boolean {
    const entry = this.inflight.get(id);
    if (!entry || entry.stage !== 'release') return false;
    this.complete(id);
    return true;
  }

  /** the session ends: every pending delivery is settled as not delivered */
  abort(): void {
    this.restored.clear();
    this.completed.clear();
    this.reserved.clear();
    const pending = [...this.inflight.values()].map((e) => e.delivery).concat(this.queue.slice(this.queueHead));
    this.inflight.clear();
    this.queue.length = 0;
    this.queueHead = 0;
    this.sink = undefined;
    for (const d of pending) d.settle?.(false);
    const waiters = this.capacityWaiters;
    this.capacityWaiters = [];
    for (const w of waiters) w();
  }

  private send(sink: OutboundSink, delivery: Delivery): void {
    const id = this.allocateId();
    const entry: Inflight = { delivery, stage: 'publish', ready: true };
    this.inflight.set(id, entry);
    if (this.durable(delivery)) {
      entry.ready = false;
      // a failed journal write costs exactly-once across a restart, not the delivery
      this.durability!.changed().catch(() => undefined).then(() => {
        entry.ready = true;
        if (this.inflight.get(id) !== entry || !this.sink) return;
        if (!this.sink.sendPublish(delivery, id, false)) this.complete(id);
      });
      return;
    }
    if (!sink.sendPublish(delivery, id, false)) this.complete(id);
  }

  private complete(id: number): void {
    const entry = this.inflight.get(id);
    if (!entry) return;
    this.inflight.delete(id);
    if (this.durable(entry.delivery)) {
      const origin = entry.delivery.origin!;
      this.completed.set(originKey(origin), { ...pick(origin), id, stage: 'complete' });
      this.durability!.changed().catch(() => undefined);
    }
    entry.delivery.settle?.(true);
    this.pump();
  }

  private durable(delivery: Delivery): boolean {
    return this.durability !== undefined && delivery.qos === 2 && delivery.origin !== undefined;
  }

  /** the QoS 2 exchanges to journal */
  qos2Entries(): Qos2Entry[] {
    const entries: Qos2Entry[] = [...this.restored.values(), ...this.completed.values()];
    for (const [id, e] of this.inflight) {
      if (this.durable(e.delivery)) entries.push({ ...pick(e.delivery.origin!), id, stage: e.stage });
    }
    return entries;
  }

  /** journaled exchanges read back after a restart */
  restore(entries: Qos2Entry[]): void {
    for (const e of entries) {
      const key = originKey(e);
      if (e.stage === 'complete') {
        this.completed.set(key, e);
        continue;
      }
      this.restored.set(key, e);
      this.reserved.add(e.id);
    }
  }

  /** the session's kernel reader committed `offset` on a queue: completed exchanges below it are forgotten */
  committed(topic: string, queueId: number, offset: number): void {
    let changed = false;
    for (const [key, e] of this.completed) {
      if (e.topic === topic && e.queueId === queueId && e.offset < offset) {
        this.completed.delete(key);
        changed = true;
      }
    }
    if (changed) this.durability?.changed().catch(() => undefined);
  }

  /** a kernel message read again after a restart: resume its journaled exchange */
  private resume(delivery: Delivery): boolean {
    const key = originKey(delivery.origin!);
    if (this.completed.has(key)) {
      delivery.settle?.(true);
      return true;
    }
    const entry = this.restored.get(key);
    if (!entry) return false;
    this.restored.delete(key);
    this.reserved.delete(entry.id);
    if (this.inflight.has(entry.id)) return false;
    const stage = entry.stage === 'release' ? 'release' : 'publish';
    this.inflight.set(entry.id, { delivery: { ...delivery, qos: 2 }, stage, ready: true });
    const sink = this.sink;
    if (!sink) return true;
    if (stage === 'release') sink.sendPubrel(entry.id);
    else if (!sink.sendPublish({ ...delivery, qos: 2 }, entry.id, true)) this.complete(entry.id);
    return true;
  }

  private pump(): void {
    const sink = this.sink;
    while (sink && this.sink === sink && this.queued > 0 && this.inflight.size < this.window) {
      const next = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as Delivery;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      this.send(sink, next);
    }
    if (this.queued === 0 && this.queueHead > 0) {
      this.queue.length = 0;
      this.queueHead = 0;
    }
    this.wakeCapacity();
  }

  private wakeCapacity(): void {
    if (this.capacityWaiters.length === 0 || !this.hasCapacity()) return;
    const waiters = this.capacityWaiters;
    this.capacityWaiters = [];
    for (const w of waiters) w();
  }

  private drop(delivery: Delivery): false {
    this.options.stats.dropped++;
    delivery.settle?.(false);
    return false;
  }

  private allocateId(): number {
    for (let i = 0; i < 65_535; i++) {
      const id = this.nextId;
      this.nextId = this.nextId >= 65_535 ? 1 : this.nextId + 1;
      if (!this.inflight.has(id) && !this.reserved.has(id)) return id;
    }
    throw new Error('no free packet identifier'); // unreachable: the window is at most 65535
  }
}

function pick(o: Origin): Origin {
  return { topic: o.topic, queueId: o.queueId, offset: o.offset };
}
