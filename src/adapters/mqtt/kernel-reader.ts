/**
 * Reads kernel queues for the MQTT adapter with a PullConsumer: one long-polling loop
 * per (topic, queue), in queue order, with a tag expression pre-filter. Two modes:
 *
 * - live (the node's fan-out): starts at the first message stored at or after the
 *   interest's `since` and commits nothing;
 * - committed (a persistent session): resumes from the group's committed offsets
 *   (else from `since`) and commits, per queue, up to the lowest message whose
 *   delivery has not been settled, so what was not acknowledged is read again.
 *
 * Topics come from an interest: named topics and, for level-1 wildcards, every
 * spannable topic including ones created later (TopicWatch). When a tag expression
 * widens, the queue is read again from the new subscription's time; `replay` tells
 * the consumer which messages were already offered to the older subscriptions.
 */
import type { KernelClient, PullConsumer, PullResult, StoredMessage } from '../../kernel/index.js';
import type { Logger } from 'pino';
import { isSpannableTopic, tagExpression } from './topic-map.js';
import type { TopicWatch } from './topic-watch.js';

export interface TopicInterest {
  tag: string;
  /** epoch ms: messages stored from then on are of interest */
  since: number;
}

export interface ReaderInterest {
  /** every spannable kernel topic (a level-1 wildcard) */
  all?: TopicInterest;
  topics: Map<string, TopicInterest>;
}

/** a message read again after a widening: only subscriptions made at or after `since` may take it */
export interface Replay {
  since: number;
}

/** true when the message was taken; `done` must then be called once it is settled */
export type Deliver = (message: StoredMessage, done: () => void, replay: Replay | undefined) => boolean;

export interface KernelReaderOptions {
  kernel: KernelClient;
  group: string;
  committed: boolean;
  watch: TopicWatch;
  batchSize: number;
  suspendMs: number;
  deliver: Deliver;
  /** resolves when more may be delivered */
  gate?: () => Promise<void>;
  /** committed mode: an offset was committed (everything below it is settled) */
  onCommit?: (topic: string, queueId: number, offset: number) => void;
  /** committed mode: false refuses commits (the session was taken over on another node) */
  mayCommit?: () => boolean;
  logger: Logger;
}

interface Tail {
  key: string;
  topic: string;
  queueId: number;
  expression: string;
  since: number;
  position: number | undefined;
  /** reposition to the first message at or after this time (a widened expression) */
  rewindTo: number | undefined;
  replay: { until: number; since: number } | undefined;
  running: boolean;
  generation: number;
  wake: (() => void) | undefined;
  loop: Promise<void> | undefined;
  // committed mode
  pending: Set<number>;
  dispatchedThrough: number;
  lastCommitted: number;
}

type Outcome<T> = { value: T } | { error: unknown } | undefined;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class KernelReader {
  private readonly consumer: PullConsumer;
  private readonly tails = new Map<string, Tail>();
  private interest: ReaderInterest = { topics: new Map() };
  private unlisten: (() => void) | undefined;
  private committedOffsets: Promise<Map<string, number>> | undefined;
  private running = false;
  private commitTimer: NodeJS.Timeout | undefined;
  private budget: { remaining: number; horizon: Map<string, number> } | undefined;

  constructor(private readonly o: KernelReaderOptions) {
    this.consumer = o.kernel.createPullConsumer({ group: o.group });
  }

  get tailCount(): number {
    return this.tails.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unlisten = this.o.watch.listen(() => this.reconcile(Date.now()));
    this.reconcile(Date.now());
  }

  /** replaces the interest; `changeSince` is when newly added subscriptions were made */
  setInterest(interest: ReaderInterest, changeSince = Date.now()): void {
    this.interest = interest;
    if (this.running) this.reconcile(changeSince);
  }

  /**
   * At most `max` more messages from what is stored now (the backlog of a session
   * that was away); the rest of that backlog is skipped. Later messages are not limited.
   */
  async limitBacklog(max: number): Promise<void> {
    const horizon = new Map<string, number>();
    const topics = new Set(this.interest.topics.keys());
    if (this.interest.all) for (const info of this.o.watch.all()) if (isSpannableTopic(info.topic)) topics.add(info.topic);
    for (const topic of topics) {
      const stats = await this.o.kernel.admin.topicStats(topic);
      for (const q of stats?.queues ?? []) horizon.set(`${topic}\u0000${q.queueId}`, q.maxOffset);
    }
    this.budget = { remaining: max, horizon };
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unlisten?.();
    const tails = [...this.tails.values()];
    for (const t of tails) this.halt(t);
    await Promise.all(tails.map((t) => t.loop));
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    await this.commitAll();
    this.tails.clear();
    await this.consumer.shutdown().catch(() => undefined);
  }

  private reconcile(changeSince: number): void {
    if (!this.running) return;
    const wanted = new Map<string, { topic: string; queueId: number; expression: string; since: number }>();
    const topics = new Map<string, TopicInterest[]>();
    for (const [topic, i] of this.interest.topics) topics.set(topic, [i]);
    const all = this.interest.all;
    if (all) {
      for (const info of this.o.watch.all()) {
        if (!isSpannableTopic(info.topic)) continue;
        topics.set(info.topic, [...(topics.get(info.topic) ?? []), all]);
      }
    }
    for (const [topic, interests] of topics) {
      const info = this.o.watch.get(topic);
      if (!info) continue; // not created yet: the watch calls back when it is
      const expression = tagExpression(interests.map((i) => i.tag));
      const since = Math.min(...interests.map((i) => i.since));
      for (let queueId = 0; queueId < info.queueCount; queueId++) wanted.set(`${topic}\u0000${queueId}`, { topic, queueId, expression, since });
    }
    for (const [key, tail] of this.tails) {
      if (!wanted.has(key)) {
        this.tails.delete(key);
        this.halt(tail);
        void tail.loop?.then(() => this.commit(tail));
        // subscribing again later starts from that subscription, not from this old offset
        void this.committedOffsets?.then((m) => m.delete(key));
      }
    }
    for (const [key, w] of wanted) {
      const tail = this.tails.get(key);
      if (!tail) {
        this.launch({ key, topic: w.topic, queueId: w.queueId, expression: w.expression, since: w.since, position: undefined, rewindTo: undefined, replay: undefined, running: true, generation: 0, wake: undefined, loop: undefined, pending: new Set(), dispatchedThrough: -1, lastCommitted: -1 });
      } else if (tail.expression !== w.expression) {
        const widened = widens(tail.expression, w.expression);
        tail.expression = w.expression;
        if (widened && tail.position !== undefined) {
          tail.rewindTo = changeSince;
          this.interrupt(tail);
        }
      }
    }
  }

  private launch(tail: Tail): void {
    this.tails.set(tail.key, tail);
    tail.loop = this.run(tail).catch((err: unknown) => this.o.logger.error({ err, topic: tail.topic, queueId: tail.queueId }, 'mqtt kernel reader stopped'));
  }

  private halt(tail: Tail): void {
    tail.running = false;
    this.interrupt(tail);
  }

  private interrupt(tail: Tail): void {
    tail.generation++;
    const wake = tail.wake;
    tail.wake = undefined;
    wake?.();
  }

  /** waits for `p` unless the tail is interrupted first (then undefined) */
  private until<T>(tail: Tail, p: Promise<T>): Promise<Outcome<T>> {
    return new Promise((resolve) => {
      tail.wake = () => resolve(undefined);
      p.then((value) => resolve({ value }), (error: unknown) => resolve({ error }));
    });
  }

  private async run(tail: Tail): Promise<void> {
    while (tail.running) {
      if (tail.position === undefined || tail.rewindTo !== undefined) {
        const positioned = await this.until(tail, this.position(tail));
        if (!positioned || !tail.running) continue;
        if ('error' in positioned) {
          this.o.logger.warn({ err: positioned.error, topic: tail.topic }, 'mqtt reader could not find its start offset');
          await sleep(1_000);
          continue;
        }
      }
      if (this.o.gate) {
        const opened = await this.until(tail, this.o.gate());
        if (!opened || !tail.running) continue;
      }
      const generation = tail.generation;
      const offset = tail.position!;
      const started = Date.now();
      const pulled = await this.until(tail, this.consumer.pull({ topic: tail.topic, queueId: tail.queueId, offset, maxMessages: this.o.batchSize, filter: tail.expression === '*' ? undefined : tail.expression, suspendMs: this.o.suspendMs }));
      if (!pulled || !tail.running || generation !== tail.generation) continue;
      if ('error' in pulled) {
        this.o.logger.warn({ err: pulled.error, topic: tail.topic, queueId: tail.queueId }, 'mqtt reader pull failed');
        await sleep(1_000);
        continue;
      }
      this.take(tail, pulled.value);
      if (pulled.value.messages.length === 0 && tail.position === offset && Date.now() - started < 5) await sleep(200);
    }
  }

  private async position(tail: Tail): Promise<void> {
    const searched = async (timestamp: number): Promise<number> => this.o.kernel.brokerApi.searchOffset({ topic: tail.topic, queueId: tail.queueId, timestamp });
    if (tail.rewindTo !== undefined) {
      const since = tail.rewindTo;
      const at = await searched(since);
      tail.rewindTo = undefined;
      if (tail.position !== undefined && at < tail.position) {
        tail.replay = { until: tail.position, since };
        tail.position = at;
        tail.dispatchedThrough = Math.min(tail.dispatchedThrough, at);
      }
      return;
    }
    let start: number | undefined;
    if (this.o.committed) {
      this.committedOffsets ??= this.loadCommitted();
      start = (await this.committedOffsets).get(tail.key);
    }
    start ??= await searched(tail.since);
    tail.position = start;
    tail.dispatchedThrough = start;
  }

  private async loadCommitted(): Promise<Map<string, number>> {
    const offsets = new Map<string, number>();
    for (const lag of await this.o.kernel.admin.groupLag(this.o.group)) offsets.set(`${lag.topic}\u0000${lag.queueId}`, lag.consumerOffset);
    return offsets;
  }

  private take(tail: Tail, result: PullResult): void {
    if (result.resetTo !== undefined) {
      tail.position = result.resetTo;
      tail.pending.clear();
      tail.dispatchedThrough = result.resetTo;
      return;
    }
    const budget = this.budget;
    const horizon = budget?.horizon.get(tail.key);
    for (const message of result.messages) {
      const offset = message.queueOffset;
      const backlog = budget !== undefined && horizon !== undefined && offset < horizon;
      if (backlog && budget.remaining <= 0) continue; // over the session's maximum: skipped
      const replay = tail.replay && offset < tail.replay.until ? { since: tail.replay.since } : undefined;
      if (this.o.committed) tail.pending.add(offset);
      const taken = this.o.deliver(message, () => this.settle(tail, offset), replay);
      if (!taken) this.settle(tail, offset);
      else if (backlog) budget.remaining--;
    }
    tail.position = result.nextBeginOffset;
    if (budget && horizon !== undefined && budget.remaining <= 0 && tail.position < horizon) tail.position = horizon;
    if (tail.replay && tail.position >= tail.replay.until) tail.replay = undefined;
    if (this.o.committed) {
      tail.dispatchedThrough = tail.position;
      this.scheduleCommit();
    }
  }

  private settle(tail: Tail, offset: number): void {
    if (!this.o.committed) return;
    tail.pending.delete(offset);
    this.scheduleCommit();
  }

  private scheduleCommit(): void {
    if (this.commitTimer || !this.o.committed) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitAll();
    }, 200);
    this.commitTimer.unref();
  }

  private async commitAll(): Promise<void> {
    await Promise.all([...this.tails.values()].map((t) => this.commit(t)));
  }

  private async commit(tail: Tail): Promise<void> {
    if (!this.o.committed || tail.dispatchedThrough < 0) return;
    if (this.o.mayCommit && !this.o.mayCommit()) return;
    let offset = tail.dispatchedThrough;
    for (const p of tail.pending) if (p < offset) offset = p;
    if (offset === tail.lastCommitted) return;
    tail.lastCommitted = offset;
    try {
      await this.consumer.commit(tail.topic, tail.queueId, offset);
      this.o.onCommit?.(tail.topic, tail.queueId, offset);
    } catch (err) {
      this.o.logger.warn({ err, group: this.o.group }, 'mqtt offset commit failed');
    }
  }
}

/** whether `next` lets through tags `prev` did not */
export function widens(prev: string, next: string): boolean {
  if (prev === '*') return false;
  if (next === '*') return true;
  const before = new Set(prev.split('||').map((t) => t.trim()));
  return next.split('||').some((t) => !before.has(t.trim()));
}
