/**
 * One MQTT session (spec §4.1): its subscriptions, the outbound window and the
 * QoS 2 packet identifiers received but not yet released. A clean session ends with
 * its connection; a persistent one (v3.1.1 CleanSession 0, v5 Session Expiry > 0)
 * outlives it, reads what it missed from its own kernel consumer group and keeps its
 * subscriptions in the kernel (sessions.ts).
 */
import type { QoS } from 'mqtt-packet';
import type { Connection } from './connection.js';
import { Outbound, type OutboundStats } from './outbound.js';
import type { SharedFilter } from './shared-subs.js';

/** a subscription as stored in the session (MQTT 5 subscription options §3.8.3.1) */
export interface Subscription {
  /** the filter as the client sent it, `$share/...` included */
  filter: string;
  qos: QoS;
  /** No Local */
  nl: boolean;
  /** Retain As Published */
  rap: boolean;
  /** Retain Handling 0..2 */
  rh: number;
  subscriptionId?: number;
  /** epoch ms: the subscription receives messages stored from then on */
  subscribedAt: number;
  /** set for `$share/{name}/{filter}` */
  shared?: SharedFilter;
}

/** Session Expiry Interval that means "never" (v5 §3.1.2.11.2) */
export const NEVER_EXPIRES = 0xffffffff;

export class Session {
  readonly subscriptions = new Map<string, Subscription>();
  readonly outbound: Outbound;
  /** inbound QoS 2: packet id → its store, until PUBREL (method B of [MQTT-4.3.3-2]) */
  readonly awaitingRelease = new Map<number, Promise<void>>();
  /**
   * of those, what the QoS 2 journal keeps for a persistent session: packet id → the
   * uniqueId its message is stored with, journaled before the store ('' for an entry
   * journaled after its store by an earlier version: stored for sure)
   */
  readonly journaledReceived = new Map<number, string>();
  /** restored after a restart: ids whose store may not have happened (the server died between journal and store) */
  readonly unconfirmedReceived = new Set<number>();
  /** the QoS 2 journal write under way, which the client's next PUBLISH packets wait for (commands/publish.ts) */
  journalGate: Promise<void> | undefined;
  connection: Connection | undefined;
  /** seconds; NEVER_EXPIRES for v3.1.1 persistent sessions */
  expiryInterval: number;
  /** epoch ms of the last disconnect, while disconnected */
  disconnectedAt: number | undefined;
  ended = false;
  /** the epoch of this node's claim on the client id (session-owners.ts) */
  epoch = 0;
  /** another gateway node claimed the session: its reader makes a last commit, then stops */
  releasing = false;
  /** another gateway node took the session over: this node no longer writes it */
  handedOver = false;

  constructor(
    readonly clientId: string,
    /** reads from its own kernel group and survives disconnects */
    readonly persistent: boolean,
    expiryInterval: number,
    limits: { maxInflight: number; maxQueued: number; stats: OutboundStats },
  ) {
    this.expiryInterval = expiryInterval;
    this.outbound = new Outbound(limits);
  }

  /** subscriptions served by the session's own reader (persistent, not shared) */
  ownSubscriptions(): Subscription[] {
    return [...this.subscriptions.values()].filter((s) => !s.shared);
  }
}
