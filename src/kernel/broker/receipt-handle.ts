/**
 * Receipt handles of popped messages (RocketMQ 5's ReceiptHandle, own layout). A handle
 * names one delivery of one message: the broker, the topic the receiver popped, the
 * queue the message is stored in (the topic itself or the group's retry topic), its
 * queue offset and commit log offset, and the delivery's sequence number. The pop
 * service keeps the sequence of the current delivery of each popped message and refuses
 * any other (an older delivery, after changeInvisibleTime or a redelivery).
 *
 * Text form: base64url of the UTF-8 JSON array
 *   [version, brokerName, popTopic, storeTopic, queueId, queueOffset, commitLogOffset, sequence, invisibleUntil]
 * with storeTopic "" when it is popTopic. Opaque to clients; only the broker decodes it.
 */
import { KernelError, KernelErrorCode } from '../errors.js';

export const RECEIPT_HANDLE_VERSION = 1;
/** longer strings are refused before any decoding */
export const MAX_RECEIPT_HANDLE_LENGTH = 2_048;

export interface ReceiptHandle {
  brokerName: string;
  /** the topic the receiver asked for */
  popTopic: string;
  /** where the message is stored: popTopic, or the group's retry topic */
  storeTopic: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  sequence: number;
  invisibleUntil: number;
}

export function encodeReceiptHandle(h: ReceiptHandle): string {
  const fields = [
    RECEIPT_HANDLE_VERSION, h.brokerName, h.popTopic, h.storeTopic === h.popTopic ? '' : h.storeTopic,
    h.queueId, h.queueOffset, h.commitLogOffset, h.sequence, h.invisibleUntil,
  ];
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

export function decodeReceiptHandle(text: string): ReceiptHandle {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_RECEIPT_HANDLE_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) {
    throw invalid('not a receipt handle');
  }
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a receipt handle');
  }
  if (!Array.isArray(fields) || fields.length !== 9 || fields[0] !== RECEIPT_HANDLE_VERSION) throw invalid('not a receipt handle of this version');
  const [, brokerName, popTopic, storeTopic, queueId, queueOffset, commitLogOffset, sequence, invisibleUntil] = fields as unknown[];
  if (typeof brokerName !== 'string' || typeof popTopic !== 'string' || popTopic === '' || typeof storeTopic !== 'string') throw invalid('malformed receipt handle');
  for (const n of [queueId, queueOffset, commitLogOffset, sequence, invisibleUntil]) {
    if (!Number.isSafeInteger(n) || (n as number) < 0) throw invalid('malformed receipt handle');
  }
  return {
    brokerName,
    popTopic,
    storeTopic: storeTopic === '' ? popTopic : storeTopic,
    queueId: queueId as number,
    queueOffset: queueOffset as number,
    commitLogOffset: commitLogOffset as number,
    sequence: sequence as number,
    invisibleUntil: invisibleUntil as number,
  };
}

export function invalid(reason: string): KernelError {
  return new KernelError(KernelErrorCode.InvalidReceiptHandle, `invalid receipt handle: ${reason}`);
}
