/**
 * Groups, lag, resets, lookups and dead-letter re-drive over a cluster: each asks every
 * broker group (request-codes.ts KernelRequestCode, QUERY_MESSAGE) and merges the
 * answers, queue ids mapped into each topic's global space (queue-layout.ts):
 *
 * - a group's config comes from the first group that knows it, its members are the
 *   union (the newest heartbeat of each);
 * - a reset goes to every broker of each group, slaves included (their offsets are what
 *   consumers read while a master is down), and answers the masters' lags;
 * - lag asks master and slaves and takes each queue's furthest offset (as offset queries do);
 * - deletes go to every broker; a group existed when any had it.
 */
import type { GroupInfo, QueueLag, RedriveDlqRequest, RedriveDlqResult } from '../../kernel/client/broker-api.js';
import { KernelError, KernelErrorCode } from '../../kernel/errors.js';
import type { StoredMessage } from '../../kernel/message/message.js';
import { parseMsgId } from '../../kernel/message/msg-id.js';
import { jsonBody } from '../protocol/fastjson.js';
import { decodeStoredRecords } from '../protocol/kernel-bodies.js';
import { MASTER_ID } from '../protocol/route-data.js';
import { createRequest, type RemotingCommand } from '../remoting/command.js';
import { KernelRequestCode, RequestCode, ResponseCode } from '../remoting/request-codes.js';
import type { ClusterView } from './cluster-view.js';
import { parseJsonBody } from './json-response.js';
import type { RemoteConsumption } from './remote-consume.js';

const json = (code: number, body: unknown): RemotingCommand => createRequest({ code, body: jsonBody(body) });

export class RemoteAdmin {
  constructor(private readonly view: ClusterView, private readonly consume: RemoteConsumption) {}

  async groupInfo(group?: string): Promise<GroupInfo[]> {
    const groups = await this.view.groups();
    const answers = await this.everyGroup(groups.map((g) => g.brokerName), (name) => this.view.invokeRead(name, json(KernelRequestCode.KERNEL_GROUP_INFO, group === undefined ? {} : { group })));
    const merged = new Map<string, GroupInfo>();
    for (const r of answers) {
      for (const info of parseJsonBody<GroupInfo[]>(r, 'group info')) {
        const known = merged.get(info.group);
        if (!known) {
          merged.set(info.group, { ...info, members: [...info.members] });
          continue;
        }
        for (const m of info.members) {
          const i = known.members.findIndex((x) => x.clientId === m.clientId);
          if (i < 0) known.members.push(m);
          else if (m.lastHeartbeat > known.members[i]!.lastHeartbeat) known.members[i] = m;
        }
      }
    }
    for (const g of merged.values()) g.members.sort((a, b) => a.clientId.localeCompare(b.clientId));
    return [...merged.values()].sort((a, b) => a.group.localeCompare(b.group));
  }

  async deleteGroup(group: string): Promise<boolean> {
    const addrs = (await this.view.groups()).flatMap((g) => Object.values(g.brokerAddrs));
    const answers = await Promise.allSettled(addrs.map((addr) => this.view.invokeOk(addr, json(KernelRequestCode.KERNEL_DELETE_GROUP, { group }))));
    return answers.some((a) => a.status === 'fulfilled' && parseJsonBody<{ existed: boolean }>(a.value, 'delete group').existed);
  }

  /**
   * every broker of each group answers, master and slaves, and the furthest offset of a
   * queue counts: a master that just came back may not yet have the progress consumers
   * committed to its slave meanwhile (the slave hands it over within a sync round)
   */
  async groupLag(group: string): Promise<QueueLag[]> {
    const groups = await this.view.groups();
    const answers = await Promise.all(groups.map(async (g) => {
      const settled = await Promise.allSettled(Object.values(g.brokerAddrs).map(async (addr) =>
        parseJsonBody<QueueLag[]>(await this.view.invokeOk(addr, json(KernelRequestCode.KERNEL_GROUP_LAG, { group })), 'group lag')));
      const ok = settled.filter((s): s is PromiseFulfilledResult<QueueLag[]> => s.status === 'fulfilled').map((s) => s.value);
      if (ok.length === 0 && settled.length > 0) throw (settled[0] as PromiseRejectedResult).reason;
      const merged = new Map<string, QueueLag>();
      for (const lag of ok.flat()) {
        const key = `${lag.topic}\u0000${lag.queueId}`;
        const known = merged.get(key);
        const brokerOffset = Math.max(known?.brokerOffset ?? 0, lag.brokerOffset);
        const consumerOffset = Math.max(known?.consumerOffset ?? 0, lag.consumerOffset);
        merged.set(key, { ...lag, brokerOffset, consumerOffset, lag: Math.max(0, brokerOffset - consumerOffset) });
      }
      return { brokerName: g.brokerName, lags: [...merged.values()] };
    }));
    const out: QueueLag[] = [];
    for (const { brokerName, lags } of answers) {
      for (const lag of lags) {
        const layout = await this.view.layout(lag.topic).catch(() => undefined);
        const queueId = layout?.globalId(brokerName, lag.queueId);
        if (queueId !== undefined) out.push({ ...lag, queueId });
      }
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.queueId - b.queueId);
  }

  async resetOffset(req: { group: string; topic: string; timestamp: number }): Promise<QueueLag[]> {
    const layout = await this.consume.requireLayout(req.topic);
    const out: QueueLag[] = [];
    await Promise.all(layout.entries.map(async (e) => {
      const b = this.view.brokerData(e.brokerName);
      const addrs = Object.entries(b?.brokerAddrs ?? {}).sort(([x], [y]) => Number(x) - Number(y));
      const answers = await Promise.allSettled(addrs.map(([, addr]) => this.view.invokeOk(addr, json(KernelRequestCode.KERNEL_RESET_OFFSET, req))));
      const primary = answers.find((a, i) => a.status === 'fulfilled' && addrs[i]![0] === String(MASTER_ID)) ?? answers.find((a) => a.status === 'fulfilled');
      if (!primary || primary.status !== 'fulfilled') throw new KernelError(KernelErrorCode.ServiceUnavailable, `reset of ${req.group} on ${e.brokerName}: no broker answered`);
      for (const lag of parseJsonBody<QueueLag[]>(primary.value, 'reset offset')) out.push({ ...lag, queueId: e.base + lag.queueId });
    }));
    return out.sort((a, b) => a.queueId - b.queueId);
  }

  async viewMessage(msgId: string): Promise<StoredMessage | undefined> {
    const groups = await this.view.groups();
    const parts = parseMsgId(msgId);
    const owner = parts ? groups.find((g) => Object.values(g.brokerAddrs).includes(`${parts.host}:${parts.port}`)) : undefined;
    const candidates = owner ? [owner, ...groups.filter((g) => g !== owner)] : groups;
    for (const g of candidates) {
      const r = await this.view.invokeRead(g.brokerName, json(KernelRequestCode.KERNEL_VIEW_MESSAGE, { msgId }), undefined, [ResponseCode.QUERY_NOT_FOUND]).catch(() => undefined);
      if (r?.code !== ResponseCode.SUCCESS) continue;
      const [m] = decodeStoredRecords(r.body);
      if (m) return this.globalQueue(g.brokerName, m);
    }
    return undefined;
  }

  async queryMessagesByKey(req: { topic: string; key: string; max?: number }): Promise<StoredMessage[]> {
    const layout = await this.view.layout(req.topic);
    if (!layout) return [];
    const max = req.max ?? 32;
    const found = await this.everyGroup(layout.entries.map((e) => e.brokerName), async (name) => {
      const r = await this.view.invokeRead(name, createRequest({
        code: RequestCode.QUERY_MESSAGE, header: { topic: req.topic, key: req.key, maxNum: max, beginTimestamp: 0, endTimestamp: Number.MAX_SAFE_INTEGER },
      }), undefined, [ResponseCode.QUERY_NOT_FOUND]);
      return r.code === ResponseCode.SUCCESS ? Promise.all(decodeStoredRecords(r.body).map((m) => this.globalQueue(name, m))) : [];
    });
    return found.flat().sort((a, b) => a.storeTimestamp - b.storeTimestamp || a.commitLogOffset - b.commitLogOffset).slice(0, max);
  }

  async redriveDlq(req: RedriveDlqRequest): Promise<RedriveDlqResult> {
    const groups = (await this.view.groups()).filter((g) => g.brokerAddrs[String(MASTER_ID)] !== undefined);
    const answers = await Promise.all(groups.map(async (g) => parseJsonBody<RedriveDlqResult>(await this.view.invokeMaster(g.brokerName, json(KernelRequestCode.KERNEL_REDRIVE_DLQ, req)), 'redrive')));
    return answers.reduce((sum, a) => ({ redriven: sum.redriven + a.redriven, failed: sum.failed + a.failed, remaining: sum.remaining + a.remaining }), { redriven: 0, failed: 0, remaining: 0 });
  }

  private async globalQueue(brokerName: string, m: StoredMessage): Promise<StoredMessage> {
    const layout = await this.view.layout(m.topic).catch(() => undefined);
    return { ...m, queueId: layout?.globalId(brokerName, m.queueId) ?? m.queueId };
  }

  /** `call` on each group; the answers of those that answered, or the first failure when none did */
  private async everyGroup<T>(names: string[], call: (brokerName: string) => Promise<T>): Promise<T[]> {
    const settled = await Promise.allSettled(names.map(call));
    const ok = settled.filter((s): s is PromiseFulfilledResult<Awaited<T>> => s.status === 'fulfilled').map((s) => s.value);
    if (names.length > 0 && ok.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
    return ok;
  }
}
