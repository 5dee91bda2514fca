/**
 * Producer: send, one-way and batch over a BrokerApi. The broker picks the queue
 * (round robin, or the hash of the sharding key so a message group stays in one FIFO
 * queue); a send that fails with a retriable error is tried again.
 */
import { KernelError, KernelErrorCode, isKernelError } from '../errors.js';
import type { Message } from '../message/message.js';
import type { BrokerApi, SendResult } from './broker-api.js';
import type { Producer, ProducerOptions } from './client-types.js';
import { createClientId } from './client-id.js';

const RETRIABLE = new Set<string>([KernelErrorCode.ServiceUnavailable, KernelErrorCode.Timeout, KernelErrorCode.StoreWriteFailed]);

export class KernelProducer implements Producer {
  readonly group: string;
  readonly clientId: string;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly api: BrokerApi, private readonly options: ProducerOptions = {}, private readonly onOnewayError: (err: unknown) => void = () => undefined) {
    this.group = options.group ?? 'DEFAULT_PRODUCER';
    this.clientId = options.clientId ?? createClientId('producer');
  }

  send(message: Message): Promise<SendResult> {
    return this.track(this.withRetries(() => this.api.send({ message: this.stamp(message), noAutoCreate: this.options.noAutoCreate })));
  }

  sendOneway(message: Message): void {
    this.send(message).catch(this.onOnewayError);
  }

  sendBatch(messages: Message[]): Promise<SendResult[]> {
    if (messages.length === 0) return Promise.resolve([]);
    const topic = messages[0]!.topic;
    return this.track(this.withRetries(() => this.api.sendBatch({ topic, messages: messages.map((m) => this.stamp(m)), noAutoCreate: this.options.noAutoCreate })));
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private stamp(message: Message): Message {
    if (this.closed) throw new KernelError(KernelErrorCode.ServiceUnavailable, 'producer is shut down');
    return {
      ...message,
      bornTimestamp: message.bornTimestamp ?? Date.now(),
      producerGroup: message.producerGroup ?? (this.options.group ? this.group : undefined),
    };
  }

  private async withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    const tries = 1 + (this.options.retryTimes ?? 2);
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (i >= tries || !isKernelError(err) || !RETRIABLE.has(err.code)) throw err;
      }
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }
}
