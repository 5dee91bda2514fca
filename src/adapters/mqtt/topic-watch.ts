/**
 * The kernel topics this node knows, refreshed from `admin.listTopics()` about once
 * a second while anyone listens. Level-1 wildcards (`+/...`, `#`) span every user
 * topic, including those created later, and a filter may name a topic that does
 * not exist yet: both learn of new topics (or new queues) here.
 */
import type { Admin, TopicInfo } from '../../kernel/index.js';
import type { Logger } from 'pino';

export type TopicListener = (topics: TopicInfo[]) => void;

export class TopicWatch {
  private readonly known = new Map<string, TopicInfo>();
  private readonly listeners = new Set<TopicListener>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private soon: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly admin: Admin, private readonly pollMs: number, private readonly logger: Logger) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      if (this.listeners.size > 0) void this.refresh();
    }, this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
  }

  get(topic: string): TopicInfo | undefined {
    return this.known.get(topic);
  }

  all(): TopicInfo[] {
    return [...this.known.values()];
  }

  /** called with every topic that appeared or gained queues since the last call */
  listen(listener: TopicListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** a topic we just wrote to: look soon instead of waiting for the next poll */
  noteTopic(topic: string): void {
    if (this.known.has(topic) || this.soon || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.refresh();
    }, 5);
    this.soon.unref();
  }

  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.load().finally(() => (this.refreshing = undefined));
    }
    return this.refreshing;
  }

  private async load(): Promise<void> {
    let list: TopicInfo[];
    try {
      list = await this.admin.listTopics();
    } catch (err) {
      this.logger.warn({ err }, 'mqtt: listing kernel topics failed');
      return;
    }
    const changed: TopicInfo[] = [];
    const seen = new Set<string>();
    for (const info of list) {
      seen.add(info.topic);
      const before = this.known.get(info.topic);
      if (!before || before.queueCount !== info.queueCount || before.createdAt !== info.createdAt) changed.push(info);
      this.known.set(info.topic, info);
    }
    for (const topic of [...this.known.keys()]) if (!seen.has(topic)) this.known.delete(topic);
    if (changed.length === 0 || this.stopped) return;
    for (const listener of this.listeners) {
      try {
        listener(changed);
      } catch (err) {
        this.logger.error({ err }, 'mqtt: topic listener failed');
      }
    }
  }
}
