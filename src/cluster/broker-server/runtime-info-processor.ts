/**
 * GET_BROKER_RUNTIME_INFO(28) (RocketMQ's AdminBrokerProcessor.getBrokerRuntimeInfo): a
 * KVTable `{"table": {...}}` of string values. We answer the entries admin views use:
 * the commit log's offsets (a slave's replication lag is its master's commitLogMaxOffset
 * minus its own, as rocketmq-dashboard computes it), the broker's role and its boot time.
 */
import { createResponse } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';
import { jsonBody } from '../protocol/fastjson.js';
import type { BrokerServerContext } from './context.js';

export function registerRuntimeInfoProcessor(server: RemotingServer, ctx: BrokerServerContext, bootTimestamp = Date.now()): void {
  server.register(RequestCode.GET_BROKER_RUNTIME_INFO, (req) => {
    const { store } = ctx.broker;
    const table: Record<string, string> = {
      brokerVersionDesc: 'rocketgate',
      brokerRole: ctx.slave ? 'SLAVE' : 'MASTER',
      commitLogMaxOffset: String(store.commitLogMaxOffset),
      commitLogMinOffset: String(store.commitLogMinOffset),
      bootTimestamp: String(bootTimestamp),
    };
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody({ table }) });
  });
}
