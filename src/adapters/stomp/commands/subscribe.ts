/**
 * SUBSCRIBE (STOMP 1.2 §SUBSCRIBE): id, destination, ack mode, selector, prefetch,
 * durable name → a kernel push consumer in the group destination.ts chooses. The
 * RECEIPT goes out once the consumer has joined its group, so a message sent after
 * the receipt reaches the subscriber.
 */
import type { Connection } from '../connection.js';
import type { StompFrame } from '../frame.js';
import type { CommandOutcome } from './index.js';

export async function handleSubscribe(connection: Connection, frame: StompFrame): Promise<CommandOutcome> {
  await connection.session!.subscribe(frame);
}
