/**
 * Command → handler table (aedes lib/handlers): the connection state is checked
 * first, so nothing but CONNECT/STOMP is accepted before CONNECTED (STOMP 1.2
 * §CONNECT or STOMP Frame), and a frame that asks for a receipt gets its RECEIPT once
 * its handler finished (STOMP 1.2 §Header receipt).
 */
import type { Connection } from '../connection.js';
import { StompError, StompErrorCode } from '../errors.js';
import { makeFrame, type StompFrame } from '../frame.js';
import { handleAck, handleNack } from './ack.js';
import { handleConnect } from './connect.js';
import { handleDisconnect } from './disconnect.js';
import { handleSend } from './send.js';
import { handleSubscribe } from './subscribe.js';
import { handleAbort, handleBegin, handleCommit } from './transaction.js';
import { handleUnsubscribe } from './unsubscribe.js';

/** 'close': the handler ends the connection once its receipt is written */
export type CommandOutcome = void | 'close';
export type CommandHandler = (connection: Connection, frame: StompFrame) => Promise<CommandOutcome>;

const HANDLERS: ReadonlyMap<string, CommandHandler> = new Map<string, CommandHandler>([
  ['CONNECT', handleConnect],
  ['STOMP', handleConnect],
  ['SEND', handleSend],
  ['SUBSCRIBE', handleSubscribe],
  ['UNSUBSCRIBE', handleUnsubscribe],
  ['ACK', handleAck],
  ['NACK', handleNack],
  ['BEGIN', handleBegin],
  ['COMMIT', handleCommit],
  ['ABORT', handleAbort],
  ['DISCONNECT', handleDisconnect],
]);

const BEFORE_CONNECT = new Set(['CONNECT', 'STOMP']);

export async function dispatch(connection: Connection, frame: StompFrame): Promise<void> {
  if (!connection.isConnected && !BEFORE_CONNECT.has(frame.command)) {
    throw new StompError(StompErrorCode.NotConnected, 'not connected',
      `the first frame must be CONNECT or STOMP, got ${JSON.stringify(frame.command.slice(0, 32))}`);
  }
  const handler = HANDLERS.get(frame.command);
  if (!handler) {
    throw new StompError(StompErrorCode.UnknownCommand, `unknown command ${JSON.stringify(frame.command.slice(0, 32))}`,
      `commands are ${[...HANDLERS.keys()].join(', ')}`);
  }
  const outcome = await handler(connection, frame);
  // STOMP 1.2 §Header receipt: any client frame but CONNECT may ask for a RECEIPT
  const receipt = frame.headers.get('receipt');
  if (receipt !== undefined && !BEFORE_CONNECT.has(frame.command)) connection.write(makeFrame('RECEIPT', { 'receipt-id': receipt }));
  if (outcome === 'close') connection.closeAfterFlush();
}
