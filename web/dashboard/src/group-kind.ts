/**
 * What a consumer group is, from the names the adapters give their groups
 * (mqtt/shared-subs.ts, stomp/destination.ts, http/sse, http/webhooks) and its members.
 */
import type { GroupInfo } from './types.js';

export interface GroupKind {
  /** MQTT session, STOMP durable ... */
  label: string;
  /** groups the adapters keep for themselves (state tables, browsing): hidden unless asked for */
  internal: boolean;
}

const BY_PREFIX: ReadonlyArray<[string, GroupKind]> = [
  ['mqtt-session-', { label: 'MQTT session', internal: false }],
  ['mqtt-share-', { label: 'MQTT shared subscription', internal: false }],
  ['mqtt-node-', { label: 'MQTT live subscriptions (node)', internal: false }],
  ['mqtt-sessions-', { label: 'MQTT session table', internal: true }],
  ['mqtt-retained-', { label: 'MQTT retained table', internal: true }],
  ['mqtt-wills-', { label: 'MQTT will table', internal: true }],
  ['stomp-queue-', { label: 'STOMP queue', internal: false }],
  ['stomp-durable-', { label: 'STOMP durable subscription', internal: false }],
  ['stomp-topic-', { label: 'STOMP topic subscription', internal: false }],
  ['http-sse-', { label: 'SSE stream', internal: false }],
  ['webhook-', { label: 'Webhook', internal: false }],
  ['http-webhooks-tail', { label: 'Webhook registry', internal: true }],
  ['http-admin-browse', { label: 'Admin browsing', internal: true }],
  ['http-redrive-', { label: 'DLQ re-drive marker', internal: true }],
  ['dashboard-browse', { label: 'Dashboard browsing', internal: true }],
];

export function groupKind(group: GroupInfo): GroupKind {
  for (const [prefix, kind] of BY_PREFIX) if (group.group.startsWith(prefix)) return kind;
  const protocols = new Set(group.members.map((m) => m.protocol));
  if (protocols.has('http')) return { label: 'HTTP pop consumers', internal: false };
  if (protocols.size === 1) return { label: `${[...protocols][0]} consumers`, internal: false };
  return { label: 'Consumer group', internal: false };
}

export function modelLabel(messageModel: string): string {
  return messageModel === 'BROADCASTING' ? 'broadcasting' : 'clustering';
}

export const isDlqTopic = (topic: string): boolean => topic.startsWith('%DLQ%');
export const groupOfDlq = (topic: string): string => topic.slice('%DLQ%'.length);
