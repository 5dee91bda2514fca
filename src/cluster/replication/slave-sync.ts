/**
 * What a slave copies from its master besides the commit log (RocketMQ's
 * SlaveSynchronize, every `intervalMs`, 10 s there): topic configs, consumer offsets and
 * subscription groups (broker-server/sync-processor.ts answers).
 *
 * RocketMQ 4's known weakness is fixed here: a master that returns after a crash has
 * older offsets than its slave (it persists them on an interval, and consumers committed
 * to the slave while it was away), and RocketMQ's slave then copies those older offsets
 * over its own, so consumers are handed old positions again. Here offsets only move
 * forward through replication, both ways:
 * - the slave takes a master offset only where it is ahead of its own;
 * - every offset a consumer commits to the slave is pending until the master took it
 *   (KERNEL_SLAVE_OFFSETS, where it is ahead of the master's); each round sends them;
 * - whenever the HA connection to the master comes up (`masterReturned`), the first round
 *   sends the slave's whole offset table the same way.
 * Offsets go back only by an admin reset, which RemoteBrokerApi sends to every broker of a
 * group, slaves included. (A slave that was down during a reset hands its older, higher
 * offsets back when it returns: reset again then.)
 */
import type { Broker } from '../../kernel/broker/broker.js';
import { MessageModel, type CommitOffsetRequest, type GroupInfo } from '../../kernel/client/broker-api.js';
import { splitOffsetKey, type OffsetTable, type SubscriptionGroupJson } from '../broker-server/sync-processor.js';
import { parseJsonObject } from '../protocol/fastjson.js';
import { jsonBody } from '../protocol/kernel-bodies.js';
import { toTopicConfig } from '../protocol/route-data.js';
import { createRequest, type RemotingCommand } from '../remoting/command.js';
import type { RemotingClient } from '../remoting/remoting-client.js';
import { KernelRequestCode, RequestCode, ResponseCode, requestCodeName } from '../remoting/request-codes.js';

export interface SlaveSyncOptions {
  broker: Broker;
  client: RemotingClient;
  /** the master's remoting "host:port", if known at start */
  masterAddress?: string;
  intervalMs?: number;
  timeoutMs?: number;
  onError?: (err: Error) => void;
}

export class SlaveSync {
  private master: string | undefined;
  /** `topic@group` → queueId → offset committed here, not yet taken by the master */
  private readonly pending = new Map<string, Map<number, number>>();
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;
  private pushAll = true;
  /** completed rounds, for tests and stats */
  rounds = 0;

  constructor(private readonly o: SlaveSyncOptions) {
    this.master = o.masterAddress;
    this.timer = setInterval(() => void this.syncNow(), o.intervalMs ?? 10_000);
    this.timer.unref();
  }

  setMaster(address: string | undefined): void {
    if (address === this.master) return;
    this.master = address;
    if (address) void this.syncNow();
  }

  /** a consumer committed to this slave */
  offsetCommitted(commit: CommitOffsetRequest): void {
    const broadcasting = commit.clientId && this.o.broker.groups.get(commit.group)?.messageModel === MessageModel.Broadcasting;
    const key = `${commit.topic}@${broadcasting ? `${commit.group}%${commit.clientId}` : commit.group}`;
    let queues = this.pending.get(key);
    if (!queues) this.pending.set(key, (queues = new Map()));
    queues.set(commit.queueId, commit.offset);
  }

  /** the HA connection to the master is up (again): hand it the whole offset table next */
  masterReturned(): void {
    this.pushAll = true;
    void this.syncNow();
  }

  get pendingCount(): number {
    let n = 0;
    for (const q of this.pending.values()) n += q.size;
    return n;
  }

  /** one round now (concurrent calls share it) */
  syncNow(): Promise<void> {
    this.running ??= this.round()
      .catch((err: Error) => this.o.onError?.(err))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * one round that starts after this call, so it sees whatever the master changed before
   * (a round already running may have read the master earlier); true if it completed
   */
  async syncFresh(): Promise<boolean> {
    await this.running;
    const before = this.rounds;
    await this.syncNow();
    return this.rounds > before;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async round(): Promise<void> {
    const master = this.master;
    if (!master) return;
    await this.pushPending(master);
    await this.copyTopics(master);
    await this.copyOffsets(master);
    await this.copyGroups(master);
    this.rounds++;
  }

  private async pushPending(master: string): Promise<void> {
    const all = this.pushAll;
    if (!all && this.pending.size === 0) return;
    const sent: OffsetTable = all ? this.o.broker.offsets.snapshot() : {};
    for (const [key, queues] of this.pending) sent[key] = { ...sent[key], ...Object.fromEntries(queues) };
    await this.call(master, KernelRequestCode.KERNEL_SLAVE_OFFSETS, jsonBody({ offsetTable: sent }));
    if (all) this.pushAll = false;
    // drop what the master has now, unless a newer commit came meanwhile
    for (const [key, queues] of Object.entries(sent)) {
      const current = this.pending.get(key);
      if (!current) continue;
      for (const [queue, offset] of Object.entries(queues)) if (current.get(Number(queue)) === offset) current.delete(Number(queue));
      if (current.size === 0) this.pending.delete(key);
    }
  }

  private async copyTopics(master: string): Promise<void> {
    const body = parseJsonObject((await this.call(master, RequestCode.GET_ALL_TOPIC_CONFIG)).body, 'TopicConfigSerializeWrapper');
    const table = (body.topicConfigTable ?? {}) as Record<string, unknown>;
    for (const [name, raw] of Object.entries(table)) {
      const tc = toTopicConfig(raw, name);
      const mine = this.o.broker.topics.get(tc.topicName);
      const queueCount = Math.max(tc.readQueueNums, tc.writeQueueNums);
      if (mine && mine.queueCount >= queueCount && mine.order === tc.order && mine.perm === tc.perm) continue;
      await this.o.broker.topics.create({ topic: tc.topicName, queueCount, order: tc.order, perm: tc.perm }).catch((err: Error) => this.o.onError?.(err));
    }
  }

  private async copyOffsets(master: string): Promise<void> {
    const body = parseJsonObject((await this.call(master, RequestCode.GET_ALL_CONSUMER_OFFSET)).body, 'ConsumerOffsetSerializeWrapper');
    const table = (body.offsetTable ?? {}) as OffsetTable;
    for (const [key, queues] of Object.entries(table)) {
      const parts = splitOffsetKey(key);
      if (!parts) continue;
      const mine = this.pending.get(key);
      for (const [queue, offset] of Object.entries(queues)) {
        const queueId = Number(queue);
        if (mine?.has(queueId) || typeof offset !== 'number') continue;
        const own = this.o.broker.offsets.query(parts.group, parts.topic, queueId);
        if (own === undefined || offset > own) this.o.broker.offsets.commit(parts.group, parts.topic, queueId, offset);
      }
    }
  }

  private async copyGroups(master: string): Promise<void> {
    const body = parseJsonObject((await this.call(master, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).body, 'SubscriptionGroupWrapper');
    const table = (body.subscriptionGroupTable ?? {}) as Record<string, Partial<SubscriptionGroupJson & GroupInfo>>;
    for (const [name, g] of Object.entries(table)) {
      await this.o.broker.groups.ensure({
        group: name, messageModel: g.messageModel, consumeFrom: g.consumeFrom, consumeTimestamp: g.consumeTimestamp,
        orderly: g.orderly, maxReconsumeTimes: g.maxReconsumeTimes ?? g.retryMaxTimes,
      }).catch((err: Error) => this.o.onError?.(err));
    }
  }

  private async call(master: string, code: number, body?: Buffer): Promise<RemotingCommand> {
    const response = await this.o.client.invoke(master, createRequest({ code, body }), this.o.timeoutMs ?? 3_000);
    if (response.code !== ResponseCode.SUCCESS) throw new Error(`${requestCodeName(code)} to master ${master}: ${response.code} ${response.remark ?? ''}`);
    return response;
  }
}
