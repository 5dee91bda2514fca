/**
 * Session lifecycle (v3.1.1 §3.1.2.4, v5 §3.1.2.4 and §4.1): Clean Start discards a
 * session [MQTT-3.1.2-6] (v5 [MQTT-3.1.2-4]), otherwise an existing one resumes
 * [MQTT-3.1.2-4] (v5 [MQTT-3.1.2-5]). A persistent session is kept after its
 * connection closes [MQTT-3.1.2-23] until its expiry interval passes. Its
 * subscriptions live in the kernel topic `$mqtt-sessions` (a KvTable keyed by client
 * id) and what it missed in its consumer group's offsets, so both survive a restart.
 */
import type { KernelClient, StoredMessage } from '../../kernel/index.js';
import type { Logger } from 'pino';
import type { MqttLimits } from './config.js';
import { KvTable } from './kv-table.js';
import type { OutboundStats } from './outbound.js';
import { NEVER_EXPIRES, Session, type Subscription } from './session.js';
import { isSharedFilter, parseSharedFilter, sessionGroupName } from './shared-subs.js';

export const SESSIONS_TOPIC = '$mqtt-sessions';

export interface SessionRecord {
  clientId: string;
  expiryInterval: number;
  disconnectedAt?: number;
  subscriptions: Array<Omit<Subscription, 'shared'>>;
}

export interface SessionHooks {
  /** a persistent session read back at start: register its subscriptions (it is offline) */
  restored(session: Session): void;
  /** the session ends: unregister it everywhere, publish a pending will */
  ended(session: Session): Promise<void>;
}

/** setTimeout holds at most 2^31-1 ms; longer expiries re-arm */
const MAX_TIMER_MS = 2_147_483_647;

export class SessionManager {
  private readonly live = new Map<string, Session>();
  private readonly table: KvTable<SessionRecord>;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly o: { kernel: KernelClient; nodeId: string; logger: Logger; limits: MqttLimits; stats: OutboundStats; hooks: SessionHooks }) {
    this.table = new KvTable<SessionRecord>({ kernel: o.kernel, topic: SESSIONS_TOPIC, group: `mqtt-sessions-${o.nodeId}`, logger: o.logger, follow: false, codec: { encode: encodeRecord, decode: decodeRecord } });
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
    const now = Date.now();
    for (const [clientId, record] of this.table.values()) {
      const session = this.create(clientId, record.expiryInterval);
      for (const sub of record.subscriptions) {
        const restored: Subscription = { ...sub };
        if (isSharedFilter(sub.filter)) {
          const shared = parseSharedFilter(sub.filter);
          if ('problem' in shared) continue;
          restored.shared = shared;
        }
        session.subscriptions.set(sub.filter, restored);
      }
      session.disconnectedAt = record.disconnectedAt ?? now;
      this.live.set(clientId, session);
      this.o.hooks.restored(session);
      this.scheduleExpiry(session);
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.table.close();
  }

  async refresh(maxAgeMs: number): Promise<number> {
    return this.table.refresh(maxAgeMs);
  }

  /** the session for a new connection, and whether it existed (Session Present) */
  async connect(req: { clientId: string; cleanStart: boolean; expiryInterval: number }): Promise<{ session: Session; present: boolean }> {
    let session = this.live.get(req.clientId);
    if (session && req.cleanStart) {
      await this.end(session);
      session = undefined;
    }
    if (session) {
      this.cancelExpiry(session);
      session.expiryInterval = req.expiryInterval;
      session.disconnectedAt = undefined;
      if (session.persistent) await this.save(session);
      return { session, present: true };
    }
    session = this.create(req.clientId, req.expiryInterval);
    this.live.set(req.clientId, session);
    if (session.persistent) await this.save(session);
    return { session, present: false };
  }

  /** after a change of subscriptions, before SUBACK / UNSUBACK */
  async save(session: Session): Promise<void> {
    if (!session.persistent || session.ended) return;
    await this.table.put(session.clientId, {
      clientId: session.clientId,
      expiryInterval: session.expiryInterval,
      disconnectedAt: session.disconnectedAt,
      subscriptions: [...session.subscriptions.values()].map(({ shared: _shared, ...rest }) => rest),
    });
  }

  /** its connection closed: a session with expiry 0 ends, others wait for their expiry */
  async disconnected(session: Session): Promise<void> {
    if (session.ended) return;
    if (!session.persistent || session.expiryInterval === 0) {
      await this.end(session);
      return;
    }
    session.disconnectedAt = Date.now();
    await this.save(session);
    this.scheduleExpiry(session);
  }

  async end(session: Session): Promise<void> {
    if (session.ended) return;
    session.ended = true;
    if (this.live.get(session.clientId) === session) this.live.delete(session.clientId);
    this.cancelExpiry(session);
    await this.o.hooks.ended(session);
    session.outbound.abort();
    if (session.persistent) {
      await this.table.delete(session.clientId);
      await this.o.kernel.admin.deleteGroup(sessionGroupName(session.clientId)).catch((err: unknown) => this.o.logger.warn({ err, clientId: session.clientId }, 'mqtt: could not delete the session group'));
    }
  }

  private create(clientId: string, expiryInterval: number): Session {
    return new Session(clientId, expiryInterval > 0, expiryInterval, { maxInflight: this.o.limits.maxInflight, maxQueued: this.o.limits.sessionMaxMessages, stats: this.o.stats });
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

function encodeRecord(record: SessionRecord): { body: Buffer; contentType: string } {
  return { body: Buffer.from(JSON.stringify(record)), contentType: 'application/json' };
}

function decodeRecord(record: StoredMessage): SessionRecord | undefined {
  try {
    const parsed = JSON.parse(record.body.toString('utf8')) as SessionRecord;
    if (typeof parsed.clientId !== 'string' || typeof parsed.expiryInterval !== 'number' || !Array.isArray(parsed.subscriptions)) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}
