/**
 * The ledger of a connection's unsettled deliveries and how an ACK or NACK names one
 * (STOMP 1.2 §ACK: `id` = the MESSAGE's `ack` header; STOMP 1.1: `message-id` and
 * `subscription`; STOMP 1.0: `message-id`).
 */
import { StompError, StompErrorCode } from './errors.js';
import type { StompFrame, StompVersion } from './frame.js';
import type { Delivery, Subscription } from './subscription.js';

export class AckLedger {
  /** ack id → unsettled delivery */
  private readonly deliveries = new Map<string, Delivery>();
  private sequence = 0;

  constructor(private readonly subscriptions: ReadonlyMap<string, Subscription>, private readonly version: StompVersion) {}

  nextAckId(): string {
    return String(++this.sequence);
  }

  track(delivery: Delivery): void {
    this.deliveries.set(delivery.ackId, delivery);
  }

  untrack(delivery: Delivery): void {
    this.deliveries.delete(delivery.ackId);
  }

  /** the delivery an ACK/NACK names; undefined when it was already settled */
  find(frame: StompFrame): Delivery | undefined {
    const h = frame.headers;
    const id = h.get('id');
    if (id !== undefined) {
      const delivery = this.deliveries.get(id);
      if (delivery) return delivery;
      // an ack id this connection issued: settled already (cumulatively, or by its subscription's end)
      if (/^\d{1,15}$/.test(id) && Number(id) <= this.sequence) return undefined;
      // some clients put the message-id in `id`
      const byMessageId = this.findByMessageId(id, h.get('subscription'));
      if (byMessageId) return byMessageId;
      throw new StompError(StompErrorCode.UnknownMessage, `no message with ack id ${JSON.stringify(id)}`,
        'the id of an ACK or NACK is the ack header of a MESSAGE received on this connection (STOMP 1.2 §ACK)');
    }
    const messageId = h.get('message-id');
    if (messageId === undefined) {
      const name = this.version === '1.2' ? 'id' : 'message-id';
      throw new StompError(StompErrorCode.MissingHeader, `missing ${name} header`, `ACK and NACK name the message by ${name}`);
    }
    return this.findByMessageId(messageId, h.get('subscription'));
  }

  private findByMessageId(messageId: string, subscriptionId: string | undefined): Delivery | undefined {
    if (subscriptionId !== undefined) return this.subscriptions.get(subscriptionId)?.findByMessageId(messageId);
    for (const subscription of this.subscriptions.values()) {
      const delivery = subscription.findByMessageId(messageId);
      if (delivery) return delivery;
    }
    return undefined;
  }
}
