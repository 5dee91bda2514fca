/**
 * PullConsumer: explicit pulls and offset commits, for callers that manage their own
 * positions (SSE resume, admin browsing, bridges).
 */
import type { BrokerApi, FilterSpec, PullResult } from './broker-api.js';
import { ConsumeFrom, MessageModel } from './broker-api.js';
import type { PullConsumer } from './client-types.js';
import { createClientId } from './client-id.js';
import { toFilterSpec } from './push-consumer.js';
import { toApplicationView } from './queue-processor.js';

export class KernelPullConsumer implements PullConsumer {
  readonly group: string;
  readonly clientId: string;
  private registered = false;

  constructor(private readonly api: BrokerApi, private readonly options: { group: string; clientId?: string; consumeFrom?: ConsumeFrom }) {
    this.group = options.group;
    this.clientId = options.clientId ?? createClientId('pull');
  }

  async queues(topic: string): Promise<number[]> {
    const info = await this.api.getTopic(topic);
    return info ? Array.from({ length: info.queueCount }, (_, i) => i) : [];
  }

  async pull(req: { topic: string; queueId: number; offset: number; maxMessages?: number; filter?: FilterSpec | string; suspendMs?: number }): Promise<PullResult> {
    await this.register();
    const result = await this.api.pull({ group: this.group, topic: req.topic, queueId: req.queueId, offset: req.offset, maxMessages: req.maxMessages ?? 32, filter: toFilterSpec(req.filter), suspendMs: req.suspendMs });
    return { ...result, messages: result.messages.map(toApplicationView) };
  }

  async fetchOffset(topic: string, queueId: number): Promise<number> {
    await this.register();
    return this.api.queryOffset({ group: this.group, topic, queueId });
  }

  commit(topic: string, queueId: number, offset: number): Promise<void> {
    return this.api.commitOffset({ group: this.group, topic, queueId, offset });
  }

  async shutdown(): Promise<void> {
    if (this.registered) await this.api.unregisterClient({ clientId: this.clientId, group: this.group });
  }

  /** the group's start position is fixed when the group is first seen */
  private async register(): Promise<void> {
    if (this.registered) return;
    await this.api.heartbeat({ clientId: this.clientId, group: this.group, messageModel: MessageModel.Clustering, consumeFrom: this.options.consumeFrom ?? ConsumeFrom.Last, subscriptions: [], protocol: 'pull' });
    this.registered = true;
  }
}
