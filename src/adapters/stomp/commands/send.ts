/** SEND (STOMP 1.2 §SEND): authorize → map headers → store, or hold for the transaction. */
import type { Connection } from '../connection.js';
import type { StompFrame } from '../frame.js';
import type { CommandOutcome } from './index.js';

export async function handleSend(connection: Connection, frame: StompFrame): Promise<CommandOutcome> {
  await connection.session!.send(frame);
  connection.services.counters.messagesIn++;
}
