/**
 * Session lifecycle (v3.1.1 §3.1.2.4, v5 §3.1.2.4 and §4.1): Clean Start discards a
 * session [MQTT-3.1.2-6] (v5 [MQTT-3.1.2-4]), otherwise an existing one resumes
 * [MQTT-3.1.2-4] (v5 [MQTT-3.1.2-5]). A persistent session is kept after its
 * connection closes [MQTT-3.1.2-23] until its expiry interval passes. Its
 * subscriptions live in the kernel topic `$mqtt-sessions` (a KvTable keyed by client
 * id) and what it missed in its consumer group's offsets, so both survive a restart.
 *
 * Gateway nodes sharing the kernel follow the table: a client that connects to another
 * node resumes its session there (the record is read back), and the node that held it
 * hands it over (`handOver`): it stops delivering and never writes it again, which the
 * ownership epoch (session-owners.ts) also enforces for every write.
 */
import type { KernelClient } from '../../kernel/index.js';
import type { Logger } from 'pino';
import type { MqttLimits } from './config.js';
import { jsonCodec, KvTable } from './kv-table.js';
import type { OutboundStats } from './outbound.js';
import { Qos2Journal, type Qos2Record } from './qos2-journal.js';
import { NEVER_EXPIRES, Session, type Subscription } from './session.js';
import { isSharedFilter, parseSharedFilter, sessionGroupName } from './shared-subs.js';

export const SESSIONS_TOPIC = '$mqtt-sessions';

export interface SessionRecord {
  clientId: string;
  /** the gateway node that holds it (restores it at start and expires it) */
  owner?: string;
  expiryInterval: number;
  disconnectedAt?: number;
  subscriptions: Array<Omit<Subscription, 'shared'>>;
}

export interface SessionHooks {
  /** a persistent session read back at start: register its subscriptions (it is offline) */
  restored(session: Session): void;
  /** the session ends: unregister it everywhere, publish a pending will */
  ended(session: Session): Promise<void>;
  /** another node took the session over: stop delivering here, without committing */
  handedOver(session: Session): Promise<void>;
  /** whether this node may still write the session (its ownership epoch is current) */
  holds(session: Session): boolean;
  /** the current ownership epoch of a client id */
  epochOf(clientId: string): number;
}

/** setTimeout holds at most 2^31-1 ms; longer expiries re-arm */
const MAX_TIMER_MS = 2_147_483_647;

export class SessionManager {
  private readonly live = new Map<string, Session>();
  private readonly table: KvTable<SessionRecord>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly qos2: Qos2Journal;
  private readonly handovers = new WeakMap<Session, Promise<void>>();

  constructor(private readonly o: { kernel: KernelClient; nodeId: string; logger: Logger; limits: MqttLimits; stats: OutboundStats; hooks: SessionHooks }) {
    this.table = new KvTable<SessionRecord>({ kernel: o.kernel, topic: SESSIONS_TOPIC, group: `mqtt-sessions-${o.nodeId}`, logger: o.logger, follow: true, suspendMs: 1_000, codec: jsonCodec(isSessionRecord) });
    this.qos2 = new Qos2Journal({ kernel: o.kernel, nodeId: o.nodeId, logger: o.logger });
  }

  get count(): number {
    return this.live.size;
  }

  get persistentCount(): number {
    return this.table.size;
  }

  get(clientId: string): Session | undefined {
    return this.live.get(clientId);
  }

  /** reads the persistent sessions back; expired ones end now */
  async open(): Promise<void> {
    await this.table.open();
    await this.qos2.open();
    const now = Date.now();
    for (const clientId of this.qos2.clientIds()) {
      if (!this.table.get(clientId)) await this.qos2.delete(clientId);
    }
    for (const [clientId, record] of this.table.values()) {
      if (!this.mine(record)) continue; // another node holds it; it is read back if the client comes here
      const session = this.fromRecord(record);
      session.epoch = this.o.hooks.epochOf(clientId);
      session.disconnectedAt = record.disconnectedAt ?? now;
      this.live.set(clientId, session);
      this.o.hooks.restored(session);
      this.scheduleExpiry(session);
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.qos2.close();
    await this.table.close();
  }

  /**
   * a QoS 2 PUBLISH of a persistent session is about to be stored with `uniqueId`:
   * journal both before the store, so after a crash its DUP is looked up, not stored again
   */
  async receiving(session: Session, id: number, uniqueId: string): Promise<void> {
    session.journaledReceived.set(id, uniqueId);
    session.unconfirmedReceived.delete(id);
    await this.journalQos2(session);
  }

  /** PUBREL: the id is forgotten in the journal before PUBCOMP, so the client may use it again */
  async released(session: Session, id: number): Promise<void> {
    session.awaitingRelease.delete(id);
    session.unconfirmedReceived.delete(id);
    if (!session.journaledReceived.delete(id)) return;
    await this.journalQos2(session);
  }

  private async journalQos2(session: Session): Promise<void> {
    if (!session.persistent || session.ended || session.releasing || !this.o.hooks.holds(session)) return;
    try {
      await this.qos2.save(session.clientId, () => qos2Record(session));
    } catch (err) {
      // the exchange still completes; only exactly-once across a restart is at risk
      this.o.logger.warn({ err, clientId: session.clientId }, 'mqtt: the QoS 2 journal could not be written');
    }
  }

  private restoreQos2(session: Session): void {
    const record = this.qos2.get(session.clientId);
    if (!record) return;
    for (const id of record.received) {
      session.awaitingRelease.set(id, Promise.resolve());
      session.journaledReceived.set(id, '');
    }
    for (const [id, uniqueId] of record.receiving ?? []) {
      session.awaitingRelease.set(id, Promise.resolve());
      session.journaledReceived.set(id, uniqueId);
      session.unconfirmedReceived.add(id);
    }
    session.outbound.restore(record.sent);
  }

  async refresh(maxAgeMs: number): Promise<number> {
    return this.table.refresh(maxAgeMs, (_key, record) => this.mine(record));
  }

  private mine(record: SessionRecord): boolean {
    return record.owner === undefined || record.owner === this.o.nodeId;
  }

  private fromRecord(record: SessionRecord): Session {
    const session = this.create(record.clientId, record.expiryInterval);
    this.restoreQos2(session);
    for (const sub of record.subscriptions) {
      const restored: Subscription = { ...sub };
      if (isSharedFilter(sub.filter)) {
        const shared = parseSharedFilter(sub.filter);
        if ('problem' in shared) continue;
        restored.shared = shared;
      }
      session.subscriptions.set(sub.filter, restored);
    }
    return session;
  }

  /**
   * Another node claimed the client id: the session stays in the kernel for that node;
   * here it stops (no offset commit, no session or journal write) and is forgotten.
   */
  handOver(session: Session): Promise<void> {
    const running = this.handovers.get(session);
    if (running) return running;
    if (session.ended) return Promise.resolve();
    const handover = (async () => {
      session.releasing = true;
      if (this.live.get(session.clientId) === session) this.live.delete(session.clientId);
      this.cancelExpiry(session);
      await this.o.hooks.handedOver(session);
      session.handedOver = true;
    })();
    this.handovers.set(session, handover);
    return handover;
  }

  /** reads the other nodes' session writes up to now (before resuming a session taken over) */
  async sync(): Promise<void> {
    await this.table.sync();
    await this.qos2.sync();
  }

  /** the session for a new connection, and whether it existed (Session Present) */
  async connect(req: { clientId: string; cleanStart: boolean; expiryInterval: number; epoch: number }): Promise<{ session: Session; present: boolean }> {
    let session = this.live.get(req.clientId);
    const elsewhere = session ? undefined : this.table.get(req.clientId);
    if (session && req.cleanStart) {
      await this.end(session);
      session = undefined;
    }
    if (elsewhere && (req.cleanStart || expired(elsewhere, Date.now()))) {
      await this.discard(req.clientId);
    } else if (elsewhere) {
      // held by another node until now: resume it here
      session = this.fromRecord(elsewhere);
      session.epoch = req.epoch;
      this.live.set(req.clientId, session);
      this.o.hooks.restored(session);
    }
    if (session) {
      session.epoch = req.epoch;
      this.cancelExpiry(session);
      session.expiryInterval = req.expiryInterval;
      session.disconnectedAt = undefined;
      if (session.persistent) await this.save(session);
      return { session, present: true };
    }
    session = this.create(req.clientId, req.expiryInterval);
    session.epoch = req.epoch;
    this.live.set(req.clientId, session);
    if (session.persistent) await this.save(session);
    return { session, present: false };
  }

  /** after a change of subscriptions, before SUBACK / UNSUBACK */
  async save(session: Session): Promise<void> {
    if (!session.persistent || session.ended) return;
    if (session.releasing || !this.o.hooks.holds(session)) throw new Error(`the session of ${session.clientId} was taken over by another gateway node`);
    await this.table.put(session.clientId, {
      clientId: session.clientId,
      owner: this.o.nodeId,
      expiryInterval: session.expiryInterval,
      disconnectedAt: session.disconnectedAt,
      subscriptions: [...session.subscriptions.values()].map(({ shared: _shared, ...rest }) => rest),
    });
  }

  /** its connection closed: a session with expiry 0 ends, others wait for their expiry */
  async disconnected(session: Session): Promise<void> {
    if (session.ended || session.releasing) return;
    if (session.persistent && !this.o.hooks.holds(session)) {
      await this.handOver(session); // closed because another node took it over
      return;
    }
    if (!session.persistent || session.expiryInterval === 0) {
      await this.end(session);
      return;
    }
    session.disconnectedAt = Date.now();
    await this.save(session);
    this.scheduleExpiry(session);
  }

  async end(session: Session): Promise<void> {
    if (session.ended || session.releasing) return;
    session.ended = true;
    if (this.live.get(session.clientId) === session) this.live.delete(session.clientId);
    this.cancelExpiry(session);
    await this.o.hooks.ended(session);
    session.outbound.abort();
    if (session.persistent) await this.discard(session.clientId);
  }

  /** removes a persistent session's records and consumer group from the kernel */
  private async discard(clientId: string): Promise<void> {
    await this.qos2.delete(clientId);
    await this.table.delete(clientId);
    await this.o.kernel.admin.deleteGroup(sessionGroupName(clientId)).catch((err: unknown) => this.o.logger.warn({ err, clientId }, 'mqtt: could not delete the session group'));
  }

  private create(clientId: string, expiryInterval: number): Session {
    const session = new Session(clientId, expiryInterval > 0, expiryInterval, { maxInflight: this.o.limits.maxInflight, maxQueued: this.o.limits.sessionMaxMessages, stats: this.o.stats });
    if (session.persistent) session.outbound.durability = { changed: () => this.journalQos2(session) };
    return session;
  }

  private scheduleExpiry(session: Session): void {
    if (session.expiryInterval === NEVER_EXPIRES || session.disconnectedAt === undefined) return;
    this.cancelExpiry(session);
    const due = session.disconnectedAt + session.expiryInterval * 1000;
    const arm = (): void => {
      const wait = due - Date.now();
      if (wait <= 0) {
        this.timers.delete(session.clientId);
        void this.end(session).catch((err: unknown) => this.o.logger.error({ err, clientId: session.clientId }, 'mqtt: ending an expired session failed'));
        return;
      }
      const timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
      timer.unref();
      this.timers.set(session.clientId, timer);
    };
    arm();
  }

  private cancelExpiry(session: Session): void {
    const t = this.timers.get(session.clientId);
    if (t) clearTimeout(t);
    this.timers.delete(session.clientId);
  }
}

function isSessionRecord(r: SessionRecord): boolean {
  return typeof r.clientId === 'string' && typeof r.expiryInterval === 'number' && Array.isArray(r.subscriptions);
}

/** a session record of another node whose expiry passed while it was away (that node may be gone) */
function expired(record: SessionRecord, now: number): boolean {
  if (record.disconnectedAt === undefined || record.expiryInterval === NEVER_EXPIRES) return false;
  return record.disconnectedAt + record.expiryInterval * 1000 <= now;
}

function qos2Record(session: Session): Qos2Record {
  const received: number[] = [];
  const receiving: Array<[number, string]> = [];
  for (const [id, uniqueId] of session.journaledReceived) {
    if (uniqueId === '') received.push(id);
    else receiving.push([id, uniqueId]);
  }
  return { clientId: session.clientId, received, receiving, sent: session.outbound.qos2Entries() };
}
