/** Admin: topics, groups, offsets and message lookup over a BrokerApi. */
import type { StoredMessage } from '../message/message.js';
import type { BrokerApi, GroupInfo, QueueLag, RedriveDlqRequest, RedriveDlqResult, TopicInfo, TopicStats } from './broker-api.js';
import type { Admin } from './client-types.js';
import { toApplicationView } from './queue-processor.js';

export class KernelAdmin implements Admin {
  constructor(private readonly api: BrokerApi) {}

  createTopic(req: { topic: string; queueCount?: number; order?: boolean }): Promise<TopicInfo> {
    return this.api.createTopic(req);
  }

  deleteTopic(topic: string): Promise<boolean> {
    return this.api.deleteTopic(topic);
  }

  listTopics(): Promise<TopicInfo[]> {
    return this.api.listTopics();
  }

  topicStats(topic: string): Promise<TopicStats | undefined> {
    return this.api.topicStats(topic);
  }

  listGroups(): Promise<GroupInfo[]> {
    return this.api.listGroups();
  }

  getGroup(group: string): Promise<GroupInfo | undefined> {
    return this.api.getGroup(group);
  }

  deleteGroup(group: string): Promise<boolean> {
    return this.api.deleteGroup(group);
  }

  groupLag(group: string): Promise<QueueLag[]> {
    return this.api.groupLag(group);
  }

  resetOffset(req: { group: string; topic: string; timestamp: number }): Promise<QueueLag[]> {
    return this.api.resetOffset(req);
  }

  async viewMessage(msgId: string): Promise<StoredMessage | undefined> {
    const m = await this.api.viewMessage(msgId);
    return m && toApplicationView(m);
  }

  async queryMessagesByKey(req: { topic: string; key: string; max?: number }): Promise<StoredMessage[]> {
    return (await this.api.queryMessagesByKey(req)).map(toApplicationView);
  }

  redriveDlq(req: RedriveDlqRequest): Promise<RedriveDlqResult> {
    return this.api.redriveDlq(req);
  }
}
