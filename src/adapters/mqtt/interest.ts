/**
 * Which subscriptions may take which kernel message, shared by the node's fan-out and
 * the persistent sessions' readers: the kernel interest of a set of filters, and the
 * per-subscription eligibility rule.
 */
import type { StoredMessage } from '../../kernel/index.js';
import type { QoS } from 'mqtt-packet';
import type { Replay, ReaderInterest, TopicInterest } from './kernel-reader.js';
import type { Delivery } from './outbound.js';
import type { OutboundMessage } from './message-map.js';
import type { Subscription } from './session.js';
import { interestOf, interestProblem, tagExpression } from './topic-map.js';

/** the kernel topics and tags a set of (non-shared) subscriptions can match */
export function readerInterest(subs: Iterable<{ filter: string; subscribedAt: number }>): ReaderInterest {
  const topics = new Map<string, { tags: string[]; since: number }>();
  let all: { tags: string[]; since: number } | undefined;
  for (const sub of subs) {
    if (interestProblem(sub.filter)) continue; // no kernel topic can match it
    const i = interestOf(sub.filter);
    const slot = i.allTopics ? (all ??= { tags: [], since: sub.subscribedAt }) : topics.get(i.topic!) ?? { tags: [], since: sub.subscribedAt };
    slot.tags.push(i.tag);
    slot.since = Math.min(slot.since, sub.subscribedAt);
    if (!i.allTopics) topics.set(i.topic!, slot);
  }
  const toInterest = (s: { tags: string[]; since: number }): TopicInterest => ({ tag: tagExpression(s.tags), since: s.since });
  const result: ReaderInterest = { topics: new Map([...topics].map(([t, s]) => [t, toInterest(s)])) };
  if (all) result.all = toInterest(all);
  return result;
}

/**
 * readerInterest kept up to date as subscriptions come and go, without walking every
 * subscription of the node on each SUBSCRIBE. `since` only ever moves back: a tail
 * created later starts early and the eligibility rule drops what is too old.
 */
export class InterestCounter {
  private readonly topics = new Map<string, { tags: Map<string, number>; since: number }>();
  private all: { tags: Map<string, number>; since: number } | undefined;

  add(sub: { filter: string; subscribedAt: number }): void {
    this.change(sub, 1);
  }

  remove(sub: { filter: string; subscribedAt: number }): void {
    this.change(sub, -1);
  }

  interest(): ReaderInterest {
    const toInterest = (s: { tags: Map<string, number> ; since: number }): TopicInterest => ({ tag: tagExpression(s.tags.keys()), since: s.since });
    const result: ReaderInterest = { topics: new Map([...this.topics].map(([t, s]) => [t, toInterest(s)])) };
    if (this.all) result.all = toInterest(this.all);
    return result;
  }

  private change(sub: { filter: string; subscribedAt: number }, delta: 1 | -1): void {
    if (interestProblem(sub.filter)) return;
    const i = interestOf(sub.filter);
    let slot = i.allTopics ? this.all : this.topics.get(i.topic!);
    if (!slot) {
      if (delta < 0) return;
      slot = { tags: new Map(), since: sub.subscribedAt };
      if (i.allTopics) this.all = slot;
      else this.topics.set(i.topic!, slot);
    }
    slot.since = Math.min(slot.since, sub.subscribedAt);
    const n = (slot.tags.get(i.tag) ?? 0) + delta;
    if (n > 0) slot.tags.set(i.tag, n);
    else slot.tags.delete(i.tag);
    if (slot.tags.size === 0) {
      if (i.allTopics) this.all = undefined;
      else this.topics.delete(i.topic!);
    }
  }
}

/**
 * A subscription takes the messages stored after it was made; a message read again
 * after a widening (`replay`) only goes to the subscriptions that caused it.
 */
export function eligible(sub: Subscription, message: StoredMessage, replay: Replay | undefined): boolean {
  if (message.storeTimestamp < sub.subscribedAt) return false;
  return replay === undefined || sub.subscribedAt >= replay.since;
}

/**
 * One delivery for all of a session's matching subscriptions: the highest granted
 * QoS [MQTT-3.3.4-2], every Subscription Identifier [MQTT-3.3.4-4], No Local
 * [MQTT-3.8.3-3] and Retain As Published [MQTT-3.3.1-12] [MQTT-3.3.1-13].
 */
export function deliveryFor(clientId: string, out: OutboundMessage, subs: Subscription[]): Delivery | undefined {
  let qos = -1;
  let retain = false;
  let ids: number[] | undefined;
  for (const sub of subs) {
    if (sub.nl && out.clientId === clientId) continue;
    if (sub.qos > qos) qos = sub.qos;
    if (sub.rap && out.retain) retain = true;
    if (sub.subscriptionId !== undefined) (ids ??= []).push(sub.subscriptionId);
  }
  if (qos < 0) return undefined;
  return { message: out, qos: Math.min(qos, out.qos) as QoS, retain, subscriptionIds: ids };
}
