/**
 * Committed offsets per (group, topic, queue), persisted as JSON under
 * `config/consumer-offsets.json` on an interval and at shutdown (RocketMQ's
 * ConsumerOffsetManager). An offset is the next message the group will consume.
 */
import path from 'node:path';
import { JsonFileSaver, readJsonFile } from '../common/json-file.js';

type OffsetTable = Record<string, Record<string, number>>;

function tableKey(group: string, topic: string): string {
  return `${topic}@${group}`;
}

export class ConsumerOffsetManager {
  /** `topic@group` → queueId → offset */
  private readonly table = new Map<string, Map<number, number>>();
  private readonly saver: JsonFileSaver;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  private constructor(configDir: string) {
    this.saver = new JsonFileSaver(path.join(configDir, 'consumer-offsets.json'), () => this.snapshot());
  }

  static async load(configDir: string, persistIntervalMs: number): Promise<ConsumerOffsetManager> {
    const manager = new ConsumerOffsetManager(configDir);
    const data = await readJsonFile<OffsetTable>(path.join(configDir, 'consumer-offsets.json'), {});
    for (const [key, queues] of Object.entries(data)) {
      manager.table.set(key, new Map(Object.entries(queues).map(([q, o]) => [Number(q), o])));
    }
    manager.timer = setInterval(() => void manager.persist(), persistIntervalMs);
    manager.timer.unref();
    return manager;
  }

  query(group: string, topic: string, queueId: number): number | undefined {
    return this.table.get(tableKey(group, topic))?.get(queueId);
  }

  commit(group: string, topic: string, queueId: number, offset: number): void {
    const key = tableKey(group, topic);
    let queues = this.table.get(key);
    if (!queues) this.table.set(key, (queues = new Map()));
    queues.set(queueId, offset);
    this.dirty = true;
  }

  /** topics a group has offsets for */
  topicsOf(group: string): string[] {
    const out: string[] = [];
    for (const key of this.table.keys()) {
      const at = key.lastIndexOf('@');
      if (key.slice(at + 1) === group) out.push(key.slice(0, at));
    }
    return out;
  }

  /** groups that have offsets on a topic */
  groupsOf(topic: string): string[] {
    const out: string[] = [];
    for (const key of this.table.keys()) {
      const at = key.lastIndexOf('@');
      if (key.slice(0, at) === topic) out.push(key.slice(at + 1));
    }
    return out;
  }

  queuesOf(group: string, topic: string): Map<number, number> {
    return new Map(this.table.get(tableKey(group, topic)) ?? []);
  }

  removeGroup(group: string): void {
    for (const topic of this.topicsOf(group)) this.table.delete(tableKey(group, topic));
    this.dirty = true;
  }

  removeTopic(topic: string): void {
    for (const group of this.groupsOf(topic)) this.table.delete(tableKey(group, topic));
    this.dirty = true;
  }

  async persist(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await this.saver.save();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.dirty = true;
    await this.persist();
  }

  /** every committed offset: `topic@group` → queueId → offset (RocketMQ's offsetTable; a slave copies it) */
  snapshot(): OffsetTable {
    const out: OffsetTable = {};
    for (const [key, queues] of this.table) out[key] = Object.fromEntries(queues);
    return out;
  }
}
