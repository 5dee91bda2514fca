/**
 * Topic configs (queue count, permissions, order), persisted as JSON under
 * `config/topics.json`. Topics are auto-created on first publish with the default
 * queue count unless that is switched off.
 */
import path from 'node:path';
import type { TopicInfo } from '../client/broker-api.js';
import { KernelError, KernelErrorCode } from '../errors.js';
import { JsonFileSaver, readJsonFile } from '../common/json-file.js';
import { validateTopicName } from './topic-names.js';

export const PERM_WRITE = 2;
export const PERM_READ = 4;
export const MAX_QUEUE_COUNT = 1024;

export interface TopicConfigOptions {
  configDir: string;
  defaultQueueCount: number;
  autoCreateTopics: boolean;
}

export class TopicConfigManager {
  private readonly topics = new Map<string, TopicInfo>();
  private readonly saver: JsonFileSaver;
  private version = 0;

  private constructor(private readonly options: TopicConfigOptions) {
    this.saver = new JsonFileSaver(path.join(options.configDir, 'topics.json'), () => ({ version: this.version, topics: [...this.topics.values()] }));
  }

  static async load(options: TopicConfigOptions): Promise<TopicConfigManager> {
    const manager = new TopicConfigManager(options);
    const data = await readJsonFile<{ version: number; topics: TopicInfo[] }>(path.join(options.configDir, 'topics.json'), { version: 0, topics: [] });
    manager.version = data.version;
    for (const t of data.topics) manager.topics.set(t.topic, t);
    return manager;
  }

  get autoCreate(): boolean {
    return this.options.autoCreateTopics;
  }

  /** bumped on every change, so observers (e.g. the nameserver registration) can tell */
  get dataVersion(): number {
    return this.version;
  }

  get(topic: string): TopicInfo | undefined {
    return this.topics.get(topic);
  }

  list(): TopicInfo[] {
    return [...this.topics.values()].sort((a, b) => a.topic.localeCompare(b.topic));
  }

  async create(req: { topic: string; queueCount?: number; order?: boolean; perm?: number }): Promise<TopicInfo> {
    validateTopicName(req.topic);
    const queueCount = req.queueCount ?? this.options.defaultQueueCount;
    if (!Number.isInteger(queueCount) || queueCount < 1 || queueCount > MAX_QUEUE_COUNT) {
      throw new KernelError(KernelErrorCode.InvalidArgument, `queue count must be an integer from 1 to ${MAX_QUEUE_COUNT}, got ${queueCount}`);
    }
    const existing = this.topics.get(req.topic);
    const info: TopicInfo = {
      topic: req.topic,
      queueCount: Math.max(queueCount, existing?.queueCount ?? 0),
      perm: req.perm ?? existing?.perm ?? PERM_READ | PERM_WRITE,
      order: req.order ?? existing?.order ?? false,
      createdAt: existing?.createdAt ?? Date.now(),
    };
    this.topics.set(req.topic, info);
    this.version++;
    await this.saver.save();
    return info;
  }

  /** the topic's config, creating it when auto-create allows; throws TopicNotFound otherwise */
  async getOrCreate(topic: string, options: { noAutoCreate?: boolean; queueCount?: number } = {}): Promise<TopicInfo> {
    const existing = this.topics.get(topic);
    if (existing) return existing;
    validateTopicName(topic);
    if (!this.options.autoCreateTopics || options.noAutoCreate) {
      throw new KernelError(KernelErrorCode.TopicNotFound, `topic ${JSON.stringify(topic)} does not exist and auto-create is off`);
    }
    return this.create({ topic, queueCount: options.queueCount });
  }

  async delete(topic: string): Promise<boolean> {
    if (!this.topics.delete(topic)) return false;
    this.version++;
    await this.saver.save();
    return true;
  }

  flush(): Promise<void> {
    return this.saver.save();
  }
}
