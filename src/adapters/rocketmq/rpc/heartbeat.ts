/**
 * Heartbeat: keeps the client's session alive, and a consumer's membership of its kernel
 * group (admin views list it with protocol `rocketmq`).
 */
import { OK } from '../errors.js';
import type { HeartbeatRequest, Status } from '../proto.js';
import { CONSUMER_TYPES, ClientType, type ClientSession } from '../clients.js';
import { groupName, type RpcDeps, type UnaryHandler } from './context.js';
import { ConsumeFrom, MessageModel } from '../../../kernel/index.js';

export interface HeartbeatResponse {
  status: Status;
}

/** registers a consumer with its kernel group; a new group starts from now (ConsumeFrom.Last) */
export async function joinGroup(deps: RpcDeps, session: ClientSession): Promise<void> {
  if (!session.group || !CONSUMER_TYPES.has(session.clientType)) return;
  await deps.kernel.brokerApi.heartbeat({
    clientId: session.clientId,
    group: session.group,
    messageModel: MessageModel.Clustering,
    consumeFrom: ConsumeFrom.Last,
    subscriptions: session.subscriptions,
    protocol: 'rocketmq',
  });
}

export const heartbeat: UnaryHandler<HeartbeatRequest, HeartbeatResponse> = async (req, ctx, deps) => {
  const { session } = ctx;
  if (req.clientType && session.clientType === ClientType.Unspecified) session.clientType = req.clientType as ClientType;
  if (req.group?.name) session.group = groupName(req.group, ctx.namespace);
  await joinGroup(deps, session);
  return { status: OK };
};
