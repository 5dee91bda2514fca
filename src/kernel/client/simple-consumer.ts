/**
 * SimpleConsumer: pop-style consumption over a BrokerApi (RocketMQ 5's SimpleConsumer).
 * No queue assignment and no offsets on this side: `receive` pops messages that stay
 * invisible to the group's other receivers for `invisibleMs`, and each is settled by its
 * receipt handle (ack, change of invisibility, nack). The broker redelivers what is not
 * acked in time through the group's retry topic (broker/pop-service.ts).
 */
import { KernelError, KernelErrorCode } from '../errors.js';
import type { BrokerApi, ConsumeFrom } from './broker-api.js';
import type { ReceivedMessage, ReceiveOptions, SimpleConsumer, SimpleConsumerOptions } from './client-types.js';
import { createClientId } from './client-id.js';
import { toFilterSpec } from './push-consumer.js';
import { toApplicationView } from './queue-processor.js';

export const DEFAULT_RECEIVE_MAX_MESSAGES = 16;
export const DEFAULT_INVISIBLE_MS = 30_000;

export class KernelSimpleConsumer implements SimpleConsumer {
  readonly group: string;
  readonly clientId: string;
  private readonly consumeFrom: ConsumeFrom | undefined;
  private readonly consumeTimestamp: number | undefined;
  private closed = false;

  constructor(private readonly api: BrokerApi, options: SimpleConsumerOptions) {
    if (!options.group) throw new KernelError(KernelErrorCode.InvalidArgument, 'a simple consumer needs a group');
    this.group = options.group;
    this.clientId = options.clientId ?? createClientId('simple');
    this.consumeFrom = options.consumeFrom;
    this.consumeTimestamp = options.consumeTimestamp;
  }

  async receive(options: ReceiveOptions): Promise<ReceivedMessage[]> {
    this.assertOpen();
    const result = await this.api.pop({
      group: this.group,
      topic: options.topic,
      filter: toFilterSpec(options.filter),
      maxMessages: options.maxMessages ?? DEFAULT_RECEIVE_MAX_MESSAGES,
      invisibleMs: options.invisibleMs ?? DEFAULT_INVISIBLE_MS,
      waitMs: options.waitMs,
      consumeFrom: this.consumeFrom,
      consumeTimestamp: this.consumeTimestamp,
    });
    // a retry appears in the topic it was sent to; the handle still names where it is stored
    return result.messages.map((m) => ({ ...toApplicationView(m), receiptHandle: m.receiptHandle, invisibleUntil: m.invisibleUntil }));
  }

  ack(receiptHandle: string): Promise<void> {
    this.assertOpen();
    return this.api.ackMessage({ group: this.group, receiptHandle });
  }

  async changeInvisibleDuration(receiptHandle: string, invisibleMs: number): Promise<string> {
    this.assertOpen();
    return (await this.api.changeInvisibleTime({ group: this.group, receiptHandle, invisibleMs })).receiptHandle;
  }

  nack(receiptHandle: string, delayMs?: number): Promise<void> {
    this.assertOpen();
    return this.api.nackMessage({ group: this.group, receiptHandle, delayMs });
  }

  /** refuses further calls; messages received and not acked are redelivered after their invisibility */
  async shutdown(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new KernelError(KernelErrorCode.ServiceUnavailable, 'simple consumer is shut down');
  }
}
