/**
 * Shared subscriptions (MQTT 5 §4.8.2): `$share/{ShareName}/{filter}`. Each shared
 * subscription is one kernel clustering consumer group, so every message goes to one
 * member across all gateway nodes; within a node it goes to one connected member.
 *
 * The spec makes `$share/G/a/#` and `$share/G/b/#` two different shared subscriptions,
 * and a kernel group must subscribe the same topics on every member (RocketMQ's rule),
 * so the group is named by the share name and the filter: `mqtt-share-G-<hash of filter>`.
 */
import { createHash } from 'node:crypto';
import { topicFilterProblem } from './topic-filter.js';

export const SHARE_PREFIX = '$share/';

export interface SharedFilter {
  shareName: string;
  /** the topic filter after the share name */
  filter: string;
}

export function isSharedFilter(filter: string): boolean {
  return filter.startsWith(SHARE_PREFIX);
}

/** the parts of `$share/G/filter`, or a problem text [MQTT-4.8.2-1] [MQTT-4.8.2-2] */
export function parseSharedFilter(full: string): SharedFilter | { problem: string } {
  const rest = full.slice(SHARE_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return { problem: 'a shared subscription needs $share/{ShareName}/{filter}' };
  const shareName = rest.slice(0, slash);
  if (shareName.includes('+') || shareName.includes('#')) return { problem: 'ShareName must not contain + or #' }; // [MQTT-4.8.2-2]
  const filter = rest.slice(slash + 1);
  const problem = topicFilterProblem(filter);
  if (problem) return { problem };
  return { shareName, filter };
}

const SAFE = /^[A-Za-z0-9._:@=-]{1,64}$/;

/** `name` when it is short and plain, else `~` + a hash: always a valid kernel group suffix */
export function safeName(name: string): string {
  return SAFE.test(name) ? name : `~${createHash('sha1').update(name).digest('hex').slice(0, 20)}`;
}

export function sharedGroupName(shared: SharedFilter): string {
  return `mqtt-share-${safeName(shared.shareName)}-${createHash('sha1').update(shared.filter).digest('hex').slice(0, 8)}`;
}

export function sessionGroupName(clientId: string): string {
  return `mqtt-session-${safeName(clientId)}`;
}

export function nodeGroupName(nodeId: string): string {
  return `mqtt-node-${safeName(nodeId)}`;
}
