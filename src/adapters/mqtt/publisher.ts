/**
 * Stores one MQTT application message in the kernel: map → send (and, for RETAIN,
 * the retained record, written alongside so both are stored before the client is
 * answered). Used for client PUBLISH packets and for will messages.
 *
 * Sends issued in the same turn of the event loop for one kernel topic and sharding
 * key (one client's PUBLISH packets from one socket read) go to the kernel as one
 * batch: one queue, in order, each still answered with its own result.
 */
import type { Message, Producer, SendResult } from '../../kernel/index.js';
import type { IPublishPacket, QoS } from 'mqtt-packet';
import { publishToMessage } from './message-map.js';
import type { RetainedStore } from './retained.js';
import { type KernelAddress, kernelAddressOf } from './topic-map.js';
import type { TopicWatch } from './topic-watch.js';

export interface PublishRequest {
  clientId: string;
  topic: string;
  payload: Buffer | string;
  qos: QoS;
  retain: boolean;
  properties?: IPublishPacket['properties'];
  /** the kernel message's uniqueId, when the caller journals it (QoS 2 of persistent sessions) */
  uniqueId?: string;
}

interface Batch {
  messages: Message[];
  waiters: Array<{ resolve: (r: SendResult) => void; reject: (err: unknown) => void }>;
  bytes: number;
}

const MAX_BATCH_MESSAGES = 128;
const MAX_BATCH_BYTES = 1024 * 1024;
/** MQTT topics whose kernel address is remembered (a client publishes to few topics, many times) */
const MAX_CACHED_ADDRESSES = 10_000;

export class Publisher {
  private readonly batches = new Map<string, Batch>();
  private flushScheduled = false;
  /** kernel topics a send has succeeded on */
  private readonly known = new Set<string>();
  /** the first send to a topic not known yet: later sends wait for it, so auto-creation cannot reorder them */
  private readonly creating = new Map<string, Promise<unknown>>();
  private readonly addresses = new Map<string, KernelAddress>();

  constructor(private readonly producer: Producer, private readonly retained: RetainedStore, private readonly watch: TopicWatch) {}

  /** resolves once the kernel stored the message (and its retained record); rejects with KernelError / PublishRefused */
  publish(req: PublishRequest): Promise<SendResult> {
    let sent: Promise<SendResult>;
    let retainedWrite: Promise<void> | undefined;
    try {
      const address = this.addressOf(req.topic);
      const message = publishToMessage(req, { clientId: req.clientId, now: Date.now(), address });
      if (req.uniqueId !== undefined) message.uniqueId = req.uniqueId;
      sent = this.send(message);
      // issued right after the send, so one client's retained writes keep its publish order
      if (req.retain) retainedWrite = this.retained.set(req.topic, message);
      this.watch.noteTopic(address.topic);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!retainedWrite) return sent;
    return Promise.all([sent, retainedWrite]).then(([result]) => result);
  }

  /** kernelAddressOf, remembered; the address objects are only read */
  private addressOf(topic: string): KernelAddress {
    let address = this.addresses.get(topic);
    if (address) return address;
    address = kernelAddressOf(topic);
    if (this.addresses.size >= MAX_CACHED_ADDRESSES) this.addresses.clear();
    this.addresses.set(topic, address);
    return address;
  }

  private send(message: Message): Promise<SendResult> {
    const topic = message.topic;
    if (this.known.has(topic) || this.watch.get(topic)) return this.batched(message);
    const first = this.creating.get(topic);
    // callbacks on one promise run in the order they were added: waiting sends go out in publish order
    if (first) return first.then(() => this.producer.send(message), () => this.producer.send(message));
    const sent = this.producer.send(message);
    this.creating.set(topic, sent);
    const settled = (): void => {
      this.creating.delete(topic);
    };
    void sent.then(() => {
      this.known.add(topic);
      settled();
    }, settled);
    return sent;
  }

  private batched(message: Message): Promise<SendResult> {
    const key = `${message.topic}\u0000${message.shardingKey ?? ''}`;
    let batch = this.batches.get(key);
    if (!batch) this.batches.set(key, (batch = { messages: [], waiters: [], bytes: 0 }));
    const result = new Promise<SendResult>((resolve, reject) => batch!.waiters.push({ resolve, reject }));
    batch.messages.push(message);
    batch.bytes += message.body.length;
    if (batch.messages.length >= MAX_BATCH_MESSAGES || batch.bytes >= MAX_BATCH_BYTES) {
      this.batches.delete(key);
      this.sendBatch(batch);
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
    return result;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batches = [...this.batches.values()];
    this.batches.clear();
    for (const b of batches) this.sendBatch(b);
  }

  private sendBatch(batch: Batch): void {
    if (batch.messages.length === 1) {
      this.producer.send(batch.messages[0]!).then(batch.waiters[0]!.resolve, batch.waiters[0]!.reject);
      return;
    }
    this.producer.sendBatch(batch.messages).then(
      (results) => batch.waiters.forEach((w, i) => w.resolve(results[i]!)),
      (err: unknown) => batch.waiters.forEach((w) => w.reject(err)),
    );
  }
}
