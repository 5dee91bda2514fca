/**
 * DISCONNECT (STOMP 1.2 §DISCONNECT): frames before it were handled in order, so the
 * RECEIPT it asks for confirms all of them; then the connection closes.
 */
import type { Connection } from '../connection.js';
import type { StompFrame } from '../frame.js';
import type { CommandOutcome } from './index.js';

export async function handleDisconnect(_connection: Connection, _frame: StompFrame): Promise<CommandOutcome> {
  return 'close';
}
