/**
 * UNSUBSCRIBE (STOMP 1.2 §UNSUBSCRIBE): stops the subscription's consumer; with a
 * durable-subscription-name (or activemq.subscriptionName) header it also removes the
 * durable subscription's group, active or not.
 */
import type { Connection } from '../connection.js';
import type { StompFrame } from '../frame.js';
import type { CommandOutcome } from './index.js';

export async function handleUnsubscribe(connection: Connection, frame: StompFrame): Promise<CommandOutcome> {
  await connection.session!.unsubscribe(frame);
}
