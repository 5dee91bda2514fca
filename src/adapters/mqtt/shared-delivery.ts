/**
 * Shared subscriptions at run time (MQTT 5 §4.8.2). Each shared subscription is a
 * kernel clustering group (shared-subs.ts); a gateway node runs one push consumer in
 * it while at least one of its local members is connected, so the kernel spreads the
 * queues over the nodes and each message goes to one node. There it goes to one
 * connected member, round robin, preferring members with room in their window; if
 * that member's session ends before it acknowledged, the next member gets it.
 */
import type { KernelClient, PushConsumer, StoredMessage } from '../../kernel/index.js';
import { ConsumeFrom, ConsumeStatus, MessageModel } from '../../kernel/index.js';
import type { QoS } from 'mqtt-packet';
import type { Logger } from 'pino';
import type { MqttLimits } from './config.js';
import { messageToOutbound, type OutboundMessage } from './message-map.js';
import type { Session, Subscription } from './session.js';
import { sharedGroupName } from './shared-subs.js';
import { topicMatches } from './topic-filter.js';
import { interestOf, interestProblem, isSpannableTopic } from './topic-map.js';
import type { TopicWatch } from './topic-watch.js';

interface Group {
  name: string;
  filter: string;
  members: Map<Session, Subscription>;
  consumer: PushConsumer | undefined;
  /** start / stop of the consumer, one at a time */
  op: Promise<void>;
  next: number;
}

export class SharedSubscriptions {
  private readonly groups = new Map<string, Group>();
  private readonly unlisten: () => void;
  delivered = 0;

  constructor(private readonly o: { kernel: KernelClient; nodeId: string; watch: TopicWatch; limits: MqttLimits; logger: Logger }) {
    this.unlisten = o.watch.listen((topics) => {
      for (const g of this.groups.values()) {
        if (!g.consumer || !interestOf(g.filter).allTopics) continue;
        for (const info of topics) if (isSpannableTopic(info.topic)) g.consumer.subscribe(info.topic, interestOf(g.filter).tag);
      }
    });
  }

  get groupCount(): number {
    return this.groups.size;
  }

  join(session: Session, sub: Subscription): void {
    const shared = sub.shared!;
    const name = sharedGroupName(shared);
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = { name, filter: shared.filter, members: new Map(), consumer: undefined, op: Promise.resolve(), next: 0 }));
    g.members.set(session, sub);
    this.reconcile(g);
  }

  leave(session: Session, filter: string): void {
    for (const g of this.groups.values()) {
      const sub = g.members.get(session);
      if (sub?.filter === filter) {
        g.members.delete(session);
        this.reconcile(g);
      }
    }
  }

  removeSession(session: Session): void {
    for (const g of this.groups.values()) {
      if (g.members.delete(session)) this.reconcile(g);
    }
  }

  /** a member connected or went away: run a consumer only while someone here can take messages */
  presenceChanged(session: Session): void {
    for (const g of this.groups.values()) if (g.members.has(session)) this.reconcile(g);
  }

  async stopAll(): Promise<void> {
    this.unlisten();
    const groups = [...this.groups.values()];
    for (const g of groups) g.members.clear();
    await Promise.all(groups.map((g) => this.reconcile(g)));
  }

  private reconcile(g: Group): Promise<void> {
    g.op = g.op.then(async () => {
      const wanted = [...g.members.keys()].some((s) => s.connection !== undefined);
      if (wanted && !g.consumer) await this.startConsumer(g);
      else if (!wanted && g.consumer) {
        const consumer = g.consumer;
        g.consumer = undefined;
        await consumer.shutdown(0);
      }
      if (g.members.size === 0 && !g.consumer) this.groups.delete(g.name);
    }).catch((err: unknown) => this.o.logger.error({ err, group: g.name }, 'mqtt shared subscription consumer failed'));
    return g.op;
  }

  private async startConsumer(g: Group): Promise<void> {
    const consumer = this.o.kernel.createPushConsumer({
      group: g.name,
      clientId: `mqtt-${this.o.nodeId}`,
      messageModel: MessageModel.Clustering,
      consumeFrom: ConsumeFrom.Last,
      consumeConcurrency: this.o.limits.maxInflight,
      pullBatchSize: 32,
      pullSuspendMs: this.o.limits.pullSuspendMs,
      rebalanceIntervalMs: 1_000,
      protocol: 'mqtt',
    });
    if (!interestProblem(g.filter)) {
      const interest = interestOf(g.filter);
      if (interest.allTopics) {
        for (const info of this.o.watch.all()) if (isSpannableTopic(info.topic)) consumer.subscribe(info.topic, interest.tag);
      } else {
        consumer.subscribe(interest.topic!, interest.tag);
      }
    }
    g.consumer = consumer;
    await consumer.start((message) => this.onMessage(g, consumer, message));
  }

  private onMessage(g: Group, consumer: PushConsumer, message: StoredMessage): Promise<ConsumeStatus> {
    const out = messageToOutbound(message, Date.now());
    if (!out || !topicMatches(g.filter, out.topic)) return Promise.resolve(ConsumeStatus.Success);
    return new Promise((resolve) => this.dispatch(g, consumer, out, new Set(), resolve));
  }

  private dispatch(g: Group, consumer: PushConsumer, out: OutboundMessage, tried: Set<Session>, resolve: (s: ConsumeStatus) => void): void {
    const member = this.pick(g, tried);
    if (!member) {
      // nobody here can take it now: the kernel redelivers it later (unless this consumer already stopped)
      resolve(g.consumer === consumer ? ConsumeStatus.ReconsumeLater : ConsumeStatus.Success);
      return;
    }
    const [session, sub] = member;
    this.delivered++;
    session.outbound.deliver({
      message: out,
      qos: Math.min(out.qos, sub.qos) as QoS,
      retain: sub.rap && out.retain,
      subscriptionIds: sub.subscriptionId !== undefined ? [sub.subscriptionId] : undefined,
      settle: (delivered) => {
        if (delivered) resolve(ConsumeStatus.Success);
        else {
          tried.add(session);
          this.dispatch(g, consumer, out, tried, resolve);
        }
      },
    });
  }

  private pick(g: Group, tried: Set<Session>): [Session, Subscription] | undefined {
    const candidates = [...g.members].filter(([s]) => s.connection !== undefined && !tried.has(s));
    if (candidates.length === 0) return undefined;
    const start = g.next++ % candidates.length;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(start + i) % candidates.length]!;
      if (c[0].outbound.hasCapacity()) return c;
    }
    return candidates[start];
  }
}
