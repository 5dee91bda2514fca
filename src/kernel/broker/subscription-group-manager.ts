/**
 * Consumer group configs (clustering or broadcasting, start position, orderly,
 * maximum reconsume times), persisted as JSON under `config/groups.json`. A group is
 * created by its first member's heartbeat; its start position is fixed then.
 */
import path from 'node:path';
import { ConsumeFrom, MessageModel } from '../client/broker-api.js';
import { JsonFileSaver, readJsonFile } from '../common/json-file.js';
import { validateGroupName } from './topic-names.js';

export const DEFAULT_MAX_RECONSUME_TIMES = 16;

export interface GroupConfig {
  group: string;
  messageModel: MessageModel;
  consumeFrom: ConsumeFrom;
  /** TIMESTAMP start, and for LAST the group's creation time: "now" is when it subscribed */
  consumeTimestamp: number;
  orderly: boolean;
  maxReconsumeTimes: number;
  createdAt: number;
}

export class SubscriptionGroupManager {
  private readonly groups = new Map<string, GroupConfig>();
  private readonly saver: JsonFileSaver;

  private constructor(configDir: string, private readonly defaultMaxReconsumeTimes: number) {
    this.saver = new JsonFileSaver(path.join(configDir, 'groups.json'), () => [...this.groups.values()]);
  }

  static async load(configDir: string, defaultMaxReconsumeTimes = DEFAULT_MAX_RECONSUME_TIMES): Promise<SubscriptionGroupManager> {
    const manager = new SubscriptionGroupManager(configDir, defaultMaxReconsumeTimes);
    for (const g of await readJsonFile<GroupConfig[]>(path.join(configDir, 'groups.json'), [])) manager.groups.set(g.group, g);
    return manager;
  }

  get(group: string): GroupConfig | undefined {
    return this.groups.get(group);
  }

  list(): GroupConfig[] {
    return [...this.groups.values()].sort((a, b) => a.group.localeCompare(b.group));
  }

  /** creates the group on first sight; later heartbeats may change orderly/maxReconsumeTimes only */
  async ensure(req: { group: string; messageModel?: MessageModel; consumeFrom?: ConsumeFrom; consumeTimestamp?: number; orderly?: boolean; maxReconsumeTimes?: number }): Promise<GroupConfig> {
    const existing = this.groups.get(req.group);
    if (existing) {
      const orderly = req.orderly ?? existing.orderly;
      const maxReconsumeTimes = req.maxReconsumeTimes ?? existing.maxReconsumeTimes;
      if (orderly !== existing.orderly || maxReconsumeTimes !== existing.maxReconsumeTimes) {
        Object.assign(existing, { orderly, maxReconsumeTimes });
        await this.saver.save();
      }
      return existing;
    }
    validateGroupName(req.group);
    const now = Date.now();
    const config: GroupConfig = {
      group: req.group,
      messageModel: req.messageModel ?? MessageModel.Clustering,
      consumeFrom: req.consumeFrom ?? ConsumeFrom.Last,
      consumeTimestamp: req.consumeFrom === ConsumeFrom.Timestamp ? (req.consumeTimestamp ?? now) : now,
      orderly: req.orderly ?? false,
      maxReconsumeTimes: req.maxReconsumeTimes ?? this.defaultMaxReconsumeTimes,
      createdAt: now,
    };
    this.groups.set(req.group, config);
    await this.saver.save();
    return config;
  }

  async delete(group: string): Promise<boolean> {
    if (!this.groups.delete(group)) return false;
    await this.saver.save();
    return true;
  }

  flush(): Promise<void> {
    return this.saver.save();
  }
}
