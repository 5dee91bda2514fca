/**
 * BEGIN / COMMIT / ABORT (STOMP 1.2 §BEGIN, §COMMIT, §ABORT): SENDs naming a transaction
 * are stored as half messages that COMMIT makes visible and ABORT rolls back; ACKs naming
 * it are applied at COMMIT and dropped by ABORT (session.ts, transactions.ts).
 */
import type { Connection } from '../connection.js';
import { StompError, StompErrorCode } from '../errors.js';
import type { StompFrame } from '../frame.js';
import type { CommandOutcome } from './index.js';

function transactionId(frame: StompFrame): string {
  const id = frame.headers.get('transaction');
  if (id === undefined || id === '') {
    throw new StompError(StompErrorCode.MissingHeader, 'missing transaction header', `${frame.command} names its transaction (STOMP 1.2 §${frame.command})`);
  }
  return id;
}

export async function handleBegin(connection: Connection, frame: StompFrame): Promise<CommandOutcome> {
  connection.session!.begin(transactionId(frame));
}

export async function handleCommit(connection: Connection, frame: StompFrame): Promise<CommandOutcome> {
  await connection.session!.commit(transactionId(frame));
}

export async function handleAbort(connection: Connection, frame: StompFrame): Promise<CommandOutcome> {
  await connection.session!.abort(transactionId(frame));
}
