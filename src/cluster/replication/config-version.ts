/**
 * A short fingerprint of a broker's topic and subscription-group configs, which changes
 * whenever a slave's metadata sync (slave-sync.ts) would copy something new: a controller-
 * mode master sends it with its controller heartbeat, and its slaves sync at once when the
 * one the controller hands them changes, instead of waiting for their periodic round.
 */
import type { Broker } from '../../kernel/broker/broker.js';

export function configVersion(broker: Broker): string {
  // topics carry a data version; groups do not: a hash of what a slave copies of them
  let hash = 0x811c9dc5;
  for (const g of broker.groups.list()) {
    const text = `${g.group}|${g.messageModel}|${g.consumeFrom}|${g.orderly}|${g.maxReconsumeTimes};`;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return `t${broker.topics.dataVersion}g${(hash >>> 0).toString(36)}`;
}
