/**
 * The stored bytes of messages, as pull, view and query responses hand them to
 * RocketMQ clients: each record exactly as the commit log holds it (RocketMQ 4's
 * stored layout, record-codec.ts), concatenated — what MessageDecoder.decodes reads.
 */
import type { Broker } from '../../kernel/broker/broker.js';
import type { StoredMessage } from '../../kernel/message/message.js';

/** the record at `commitLogOffset`, `size` bytes; undefined when the log no longer has it */
export async function readRecord(broker: Broker, commitLogOffset: number, size: number): Promise<Buffer | undefined> {
  const buf = await broker.store.readCommitLog(commitLogOffset, size);
  if (buf.length < size || buf.readInt32BE(0) !== size) return undefined;
  return buf.subarray(0, size);
}

/** the records of `messages`, in order; a record gone meanwhile (retention) is left out */
export async function recordsOf(broker: Broker, messages: StoredMessage[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const m of messages) {
    const record = await readRecord(broker, m.commitLogOffset, m.storeSize);
    if (record) parts.push(record);
  }
  return Buffer.concat(parts);
}
