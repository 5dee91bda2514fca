/**
 * ACK / NACK (STOMP 1.2 §ACK, §NACK). 1.2 names the message by the MESSAGE's `ack`
 * header in `id`; 1.1 by `message-id` and `subscription`; 1.0 by `message-id`. In
 * client mode one ACK covers every earlier message of the subscription. NACK sends the
 * message back to the kernel for redelivery (retry topic, then dead-letter topic).
 */
import { ConsumeStatus } from '../../../kernel/index.js';
import type { Connection } from '../connection.js';
import type { StompFrame } from '../frame.js';
import type { CommandOutcome } from './index.js';

export async function handleAck(connection: Connection, frame: StompFrame): Promise<CommandOutcome> {
  connection.session!.ack(frame, ConsumeStatus.Success);
}

export async function handleNack(connection: Connection, frame: StompFrame): Promise<CommandOutcome> {
  connection.session!.ack(frame, ConsumeStatus.ReconsumeLater);
}
