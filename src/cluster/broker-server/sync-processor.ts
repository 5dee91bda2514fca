/**
 * What a slave copies from its master besides the commit log (RocketMQ's SlaveSynchronize
 * requests, answered by AdminBrokerProcessor), and the way back (ours):
 *
 *   GET_ALL_CONSUMER_OFFSET(43)            → ConsumerOffsetSerializeWrapper {"offsetTable":{"topic@group":{"0":12}}}
 *   GET_ALL_SUBSCRIPTIONGROUP_CONFIG(201)  → SubscriptionGroupWrapper {"subscriptionGroupTable":{name:config},
 *                                            "dataVersion"}; each config has RocketMQ's fields and, as extension
 *                                            fields, the kernel's (messageModel, consumeFrom, consumeTimestamp,
 *                                            orderly, createdAt)
 *   GET_ALL_TOPIC_CONFIG(21)               (admin-processor.ts)
 *   KERNEL_SLAVE_OFFSETS(9020)             body {"offsetTable":...} as above: the slave's offsets (those consumers
 *                                          committed to it while this master was away, or all of them when it
 *                                          connects); each is taken where it is ahead of the master's (offsets
 *                                          only move forward through replication), so a master back from a
 *                                          crash does not hand consumers their old positions again
 *   KERNEL_REPLICA_APPEND(9021)            {offset} + raw commit log bytes (whole records), or no body: a probe.
 *                                          Answers {end} (this log's end). A master that restarted behind its
 *                                          slave takes the records it lost back this way (replication/
 *                                          master-catch-up.ts); refused (SERVICE_NOT_AVAILABLE) anywhere else
 */
import type { GroupConfig } from '../../kernel/broker/subscription-group-manager.js';
import { createResponse } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { KernelRequestCode, RequestCode, ResponseCode } from '../remoting/request-codes.js';
import { jsonBody, readJson } from '../protocol/kernel-bodies.js';
import { HeaderFields } from '../protocol/header-fields.js';
import { ResponseError } from '../remoting/request-dispatcher.js';
import { dataVersionJson } from '../protocol/route-data.js';
import { assertMaster, type BrokerServerContext } from './context.js';

export type OffsetTable = Record<string, Record<string, number>>;

export interface SubscriptionGroupJson extends GroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeFromMinEnable: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
}

/** `topic@group` → its parts (a group name has no `@`; a topic may) */
export function splitOffsetKey(key: string): { topic: string; group: string } | undefined {
  const at = key.lastIndexOf('@');
  return at <= 0 ? undefined : { topic: key.slice(0, at), group: key.slice(at + 1) };
}

export function registerSyncProcessors(server: RemotingServer, ctx: BrokerServerContext): void {
  const { broker } = ctx;
  server.register(RequestCode.GET_ALL_CONSUMER_OFFSET, (req) =>
    createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody({ offsetTable: broker.offsets.snapshot() }) }));
  server.register(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, (req) => {
    const table: Record<string, SubscriptionGroupJson> = {};
    for (const g of broker.groups.list()) {
      table[g.group] = {
        ...g, groupName: g.group, consumeEnable: true, consumeBroadcastEnable: true, consumeFromMinEnable: true,
        retryQueueNums: 1, retryMaxTimes: g.maxReconsumeTimes, brokerId: 0, whichBrokerWhenConsumeSlowly: 1, notifyConsumerIdsChangedEnable: true,
      };
    }
    const dataVersion = dataVersionJson({ stateVersion: 0, timestamp: 0, counter: 0 });
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody({ subscriptionGroupTable: table, dataVersion }) });
  });
  server.register(KernelRequestCode.KERNEL_SLAVE_OFFSETS, (req) => {
    assertMaster(ctx, 'slave offsets');
    const { offsetTable } = readJson<{ offsetTable: OffsetTable }>(req.body, 'slave offsets');
    let taken = 0;
    for (const [key, queues] of Object.entries(offsetTable ?? {})) {
      const parts = splitOffsetKey(key);
      if (!parts) continue;
      for (const [queue, offset] of Object.entries(queues)) {
        const queueId = Number(queue);
        if (!Number.isInteger(queueId) || typeof offset !== 'number') continue;
        const mine = broker.offsets.query(parts.group, parts.topic, queueId);
        if (mine === undefined || offset > mine) {
          broker.offsets.commit(parts.group, parts.topic, queueId, offset);
          taken++;
        }
      }
    }
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody({ taken }) });
  });
  server.register(KernelRequestCode.KERNEL_REPLICA_APPEND, async (req) => {
    assertMaster(ctx, 'replica append');
    const store = broker.store;
    if (req.body && req.body.length > 0) {
      if (!ctx.replicaAppend) throw new ResponseError(ResponseCode.SERVICE_NOT_AVAILABLE, `broker ${ctx.brokerName} takes no records from a replica`);
      await ctx.replicaAppend(new HeaderFields(req.extFields).int('offset'), req.body);
    }
    return createResponse(req, { code: ResponseCode.SUCCESS, header: { end: store.commitLogMaxOffset } });
  });
}
