/**
 * The MQTT gateway of one node: connections, sessions and the kernel-backed
 * services behind them. Inbound, Publisher stores every PUBLISH (and will) in the
 * kernel before it is acknowledged. Outbound, every message comes from the kernel:
 * clean sessions through the node's live fan-out, persistent sessions through their
 * own consumer groups, shared subscriptions through their clustering groups.
 * Gateway nodes over one kernel share sessions, retained messages and wills; each
 * client id is held by one node at a time (session-owners.ts).
 */
import type { KernelClient, Producer } from '../../kernel/index.js';
import type { Logger } from 'pino';
import type { Authenticator } from '../common/auth.js';
import type { MqttLimits } from './config.js';
import type { Connection } from './connection.js';
import { dispatchDeferred } from './commands/index.js';
import { NodeFanout } from './fanout.js';
import { KernelReader, type KernelReaderOptions } from './kernel-reader.js';
import { Publisher } from './publisher.js';
import { ReasonCode } from './reason-codes.js';
import { RetainedStore } from './retained.js';
import type { Session, Subscription } from './session.js';
import { SessionDelivery } from './session-delivery.js';
import { SessionOwners } from './session-owners.js';
import { SessionManager } from './sessions.js';
import { SharedSubscriptions } from './shared-delivery.js';
import { nodeGroupName, sessionGroupName } from './shared-subs.js';
import { TopicWatch } from './topic-watch.js';
import { WillService } from './wills.js';

export interface GatewayStats {
  packetsIn: number;
  packetsOut: number;
  messagesIn: number;
  messagesOut: number;
  protocolErrors: number;
  connectRefused: number;
  publishDenied: number;
  publishFailed: number;
  subscribeDenied: number;
  oversizedDropped: number;
  /** deliveries whose message expired before it could be written [MQTT-3.3.2-5] */
  expiredDropped: number;
  /** outbound deliveries dropped: queue full, or QoS 0 to a client that does not read */
  dropped: number;
  /** most kernel stores one connection ever had outstanding (bounded by maxInflight) */
  inboundPeakPending: number;
}

/** how long a CONNECT waits for the node that held its client id to hand the session over */
const HANDOVER_TIMEOUT_MS = 3_000;

/** table records older than this are written again, ahead of kernel retention */
const TABLE_REFRESH_AGE_MS = 6 * 3600_000;

export class MqttGateway {
  readonly stats: GatewayStats = { packetsIn: 0, packetsOut: 0, messagesIn: 0, messagesOut: 0, protocolErrors: 0, connectRefused: 0, publishDenied: 0, publishFailed: 0, subscribeDenied: 0, oversizedDropped: 0, expiredDropped: 0, dropped: 0, inboundPeakPending: 0 };
  readonly connections = new Set<Connection>();
  readonly watch: TopicWatch;
  readonly producer: Producer;
  readonly retained: RetainedStore;
  readonly publisher: Publisher;
  readonly wills: WillService;
  readonly sessions: SessionManager;
  readonly fanout: NodeFanout;
  readonly sessionDelivery: SessionDelivery;
  readonly shared: SharedSubscriptions;
  readonly owners: SessionOwners;
  private readonly byClientId = new Map<string, Connection>();
  private readonly locks = new Map<string, Promise<void>>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(readonly kernel: KernelClient, readonly auth: Authenticator, readonly logger: Logger, readonly limits: MqttLimits, readonly nodeId: string) {
    this.watch = new TopicWatch(kernel.admin, limits.topicPollMs, logger);
    this.producer = kernel.createProducer({ group: `mqtt-${nodeId}` });
    this.retained = new RetainedStore(kernel, nodeId, logger);
    this.publisher = new Publisher(this.producer, this.retained, this.watch);
    this.wills = new WillService({ kernel, nodeId, logger, publisher: this.publisher });
    this.fanout = new NodeFanout((deliver) => this.reader(nodeGroupName(nodeId), false, deliver));
    this.sessionDelivery = new SessionDelivery(
      (session, deliver) =>
        this.reader(sessionGroupName(session.clientId), true, deliver, {
          gate: () => session.outbound.whenCapacity(),
          onCommit: (topic, queueId, offset) => session.outbound.committed(topic, queueId, offset),
          // a stale owner's commits are refused
          mayCommit: () => !session.handedOver && (session.releasing || this.owners.holds(session.clientId, session.epoch)),
        }),
      limits.sessionMaxMessages,
    );
    this.owners = new SessionOwners({ kernel, nodeId, logger, lost: (clientId, by) => void this.lostOwnership(clientId, by.epoch) });
    this.shared = new SharedSubscriptions({ kernel, nodeId, watch: this.watch, limits, logger });
    this.sessions = new SessionManager({
      kernel, nodeId, logger, limits, stats: this.stats,
      hooks: {
        restored: (session) => this.register(session, [...session.subscriptions.values()], session.disconnectedAt ?? Date.now()),
        ended: (session) => this.sessionEnded(session),
        handedOver: (session) => this.sessionHandedOver(session),
        holds: (session) => this.owners.holds(session.clientId, session.epoch),
        epochOf: (clientId) => this.owners.get(clientId)?.epoch ?? 0,
      },
    });
  }

  private reader(group: string, committed: boolean, deliver: KernelReaderOptions['deliver'], extra: Pick<KernelReaderOptions, 'gate' | 'onCommit' | 'mayCommit'> = {}): KernelReader {
    const batchSize = committed ? this.limits.sessionPullBatchSize : this.limits.pullBatchSize;
    return new KernelReader({ kernel: this.kernel, group, committed, watch: this.watch, batchSize, suspendMs: this.limits.pullSuspendMs, deliver, ...extra, logger: this.logger });
  }

  async start(): Promise<void> {
    await this.watch.start();
    await this.retained.open();
    this.fanout.start();
    await this.owners.open();
    await this.sessions.open();
    await this.wills.open();
    this.refreshTimer = setInterval(() => void this.refreshTables(), 3600_000);
    this.refreshTimer.unref();
    void this.refreshTables();
  }

  /** closes every connection (v5: DISCONNECT 0x8B), then the kernel readers and consumers */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.refreshTimer);
    const closing = [...this.connections].map((c) => {
      c.disconnect(ReasonCode.ServerShuttingDown, 'server shutting down');
      return c.closed;
    });
    await Promise.all(closing);
    await this.shared.stopAll();
    await this.sessionDelivery.stopAll();
    await this.fanout.stop();
    await this.wills.close();
    await this.sessions.close();
    await this.retained.close();
    await this.owners.close();
    this.watch.stop();
    await this.producer.shutdown();
  }

  /** runs `fn` after every earlier call for the same client id finished (CONNECT and takeover) */
  exclusive(clientId: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.locks.get(clientId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(clientId, tail);
    void tail.then(() => {
      if (this.locks.get(clientId) === tail) this.locks.delete(clientId);
    });
    return next;
  }

  /** [MQTT-3.1.4-2] (v5 [MQTT-3.1.4-3]): the client id's current connection is closed first (v5: 0x8E) */
  async takeOver(conn: Connection): Promise<void> {
    const existing = this.byClientId.get(conn.clientId);
    this.byClientId.set(conn.clientId, conn);
    if (!existing || existing === conn) return;
    existing.disconnect(ReasonCode.SessionTakenOver, 'another connection took over the session');
    await existing.closed;
  }

  /** CONNACK was sent: the session starts delivering to this connection */
  attach(conn: Connection, session: Session): void {
    this.connections.add(conn);
    conn.session = session;
    session.connection = conn;
    session.outbound.attach(conn);
    if (session.persistent) void this.sessionDelivery.attached(session).catch((err: unknown) => this.logger.warn({ err, clientId: session.clientId }, 'mqtt session reader failed to start'));
    this.shared.presenceChanged(session);
    dispatchDeferred(conn);
  }

  /** SUBSCRIBE accepted these: register them and, for a persistent session, store them */
  async subscribe(session: Session, subs: Subscription[]): Promise<void> {
    for (const sub of subs) {
      const old = session.subscriptions.get(sub.filter);
      if (old?.shared) this.shared.leave(session, old.filter);
      session.subscriptions.set(sub.filter, sub); // [MQTT-3.8.4-3] replaces an identical filter
    }
    await this.sessions.save(session);
    this.register(session, subs, Math.min(...subs.map((s) => s.subscribedAt)));
  }

  async unsubscribe(session: Session, filters: string[]): Promise<void> {
    if (filters.length === 0) return;
    const own: string[] = [];
    for (const filter of filters) {
      const sub = session.subscriptions.get(filter);
      if (!sub) continue;
      session.subscriptions.delete(filter);
      if (sub.shared) this.shared.leave(session, filter);
      else own.push(filter);
    }
    if (own.length > 0) {
      if (session.persistent) this.sessionDelivery.update(session);
      else this.fanout.remove(session, own);
    }
    await this.sessions.save(session);
  }

  private register(session: Session, subs: Subscription[], changeSince: number): void {
    const own = subs.filter((s) => !s.shared);
    for (const sub of subs) if (sub.shared) this.shared.join(session, sub);
    if (own.length === 0) return;
    if (session.persistent) this.sessionDelivery.update(session, changeSince);
    else this.fanout.add(session, own);
  }

  private async sessionEnded(session: Session): Promise<void> {
    this.fanout.removeSession(session);
    this.shared.removeSession(session);
    await this.sessionDelivery.end(session);
    await this.wills.sessionEnded(session.clientId);
    await this.owners.release(session.clientId, session.epoch);
  }

  private async sessionHandedOver(session: Session): Promise<void> {
    this.fanout.removeSession(session);
    this.shared.removeSession(session);
    session.outbound.detach();
    await this.sessionDelivery.end(session);
  }

  /**
   * CONNECT: claims the client id cluster-wide. When another node held it, waits for
   * that node to hand it over (session-owners.ts), then reads the session tables up to
   * date; a node that does not answer in time is taken over anyway.
   */
  async claim(clientId: string): Promise<number> {
    const { epoch, previous } = await this.owners.claim(clientId);
    if (previous && previous.node !== this.nodeId) {
      const released = await this.owners.waitReleased(clientId, epoch, HANDOVER_TIMEOUT_MS);
      if (!released) this.logger.warn({ clientId, from: previous.node }, 'mqtt: the previous node did not hand the session over in time; taking it over');
      await this.sessions.sync();
    }
    return epoch;
  }

  /** another node claimed a client id held here: close its connection (v5: 0x8E), hand the session over, release */
  private lostOwnership(clientId: string, epoch: number): Promise<void> {
    return this.exclusive(clientId, async () => {
      const owner = this.owners.get(clientId);
      if (owner && owner.node === this.nodeId) return; // claimed here again meanwhile
      const conn = this.byClientId.get(clientId);
      if (conn) {
        conn.disconnect(ReasonCode.SessionTakenOver, 'the session was taken over on another gateway node');
        await conn.closed;
      }
      const session = this.sessions.get(clientId);
      if (session) await this.sessions.handOver(session);
      await this.owners.released(clientId, epoch);
    }).catch((err: unknown) => this.logger.warn({ err, clientId }, 'mqtt: handing a session over failed'));
  }

  /** every connection ends here exactly once */
  async connectionClosed(conn: Connection, wasConnected: boolean): Promise<void> {
    this.connections.delete(conn);
    if (this.byClientId.get(conn.clientId) === conn) this.byClientId.delete(conn.clientId);
    const session = conn.session;
    if (!wasConnected || !session || session.connection !== conn) return;
    session.connection = undefined;
    session.outbound.detach();
    this.shared.presenceChanged(session);
    try {
      const sessionEnds = !session.persistent || session.expiryInterval === 0;
      // on shutdown the wills stay stored and are published at the next start
      if (!this.stopping) await this.wills.closed(session.clientId, { normal: conn.disconnectedNormally, sessionEnds });
      if (!this.stopping || sessionEnds) await this.sessions.disconnected(session);
    } catch (err) {
      this.logger.warn({ err, clientId: session.clientId }, 'mqtt: cleaning up after a connection failed');
    }
  }

  private async refreshTables(): Promise<void> {
    try {
      await this.retained.refresh(TABLE_REFRESH_AGE_MS);
      await this.sessions.refresh(TABLE_REFRESH_AGE_MS);
      await this.owners.refresh(TABLE_REFRESH_AGE_MS);
    } catch (err) {
      this.logger.warn({ err }, 'mqtt: refreshing the retained and session tables failed');
    }
  }
}
