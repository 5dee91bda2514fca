/**
 * SEND (STOMP 1.2 §SEND): authorize → map headers → store, or hold for the transaction.
 * SENDs that queued up while the connection was busy are handled as a run: prepared in
 * order, stored in kernel batches, then answered with their RECEIPTs in order.
 */
import type { Connection } from '../connection.js';
import { makeFrame, type StompFrame } from '../frame.js';
import type { PreparedSend } from '../session.js';
import { toStompError } from '../errors.js';
import type { CommandOutcome } from './index.js';

export async function handleSend(connection: Connection, frame: StompFrame): Promise<CommandOutcome> {
  await connection.session!.send(frame);
  connection.services.counters.messagesIn++;
  connection.messagesIn++;
}

/** consecutive SENDs outside transactions; an error names the frame that caused it */
export async function handleSendRun(connection: Connection, frames: readonly StompFrame[]): Promise<void> {
  const session = connection.session!;
  const prepared: PreparedSend[] = [];
  let failure: { error: unknown; frame: StompFrame } | undefined;
  for (const frame of frames) {
    try {
      prepared.push(await session.prepare(frame));
    } catch (error) {
      failure = { error, frame };
      break;
    }
  }
  try {
    await session.store(prepared);
  } catch (error) {
    throw toStompError(error).about(frames[0]!);
  }
  connection.services.counters.messagesIn += prepared.length;
  connection.messagesIn += prepared.length;
  for (const frame of frames.slice(0, prepared.length)) {
    const receipt = frame.headers.get('receipt');
    if (receipt !== undefined) connection.write(makeFrame('RECEIPT', { 'receipt-id': receipt }));
  }
  if (failure) throw toStompError(failure.error).about(failure.frame);
}
