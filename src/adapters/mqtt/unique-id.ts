/**
 * Message uniqueIds the adapter gives QoS 2 PUBLISH packets of persistent sessions, so
 * the id is journaled before the store and a retransmission after a crash can be looked
 * up in the kernel (commands/publish.ts). RocketMQ's UNIQ_KEY shape, 32 upper-case hex
 * digits: a random prefix drawn once per process (8 bytes, so ids of different nodes and
 * of runs before a restart do not meet) and a counter (8 bytes), like MessageClientIDSetter.
 */
import { randomBytes } from 'node:crypto';

const prefix = randomBytes(8).toString('hex').toUpperCase();
let counter = 0;

export function nextUniqueId(): string {
  return prefix + (++counter).toString(16).toUpperCase().padStart(16, '0');
}
