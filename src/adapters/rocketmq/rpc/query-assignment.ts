/**
 * QueryAssignment (PushConsumer): the queues this member should receive from. Pop
 * consumption needs no rebalance, so every member is assigned the whole topic on this
 * broker as one MessageQueue with id -1, as the proxy answers; the kernel's pop spreads
 * the topic's queues among the group's concurrent receivers.
 */
import { Code, OK, RocketMqError } from '../errors.js';
import { kernelName } from '../message-map.js';
import type { QueryAssignmentRequest, MessageQueue, Status } from '../proto.js';
import { advertisedEndpoints, popAssignment, topicInfo } from '../route.js';
import { groupName, type UnaryHandler } from './context.js';

export interface QueryAssignmentResponse {
  status: Status;
  assignments: Array<{ messageQueue: MessageQueue }>;
}

export const queryAssignment: UnaryHandler<QueryAssignmentRequest, QueryAssignmentResponse> = async (req, ctx, deps) => {
  const topic = kernelName(req.topic, ctx.namespace);
  if (topic === '') throw new RocketMqError(Code.IllegalTopic, 'topic is required');
  groupName(req.group, ctx.namespace);
  deps.auth.authorize(ctx.principal, 'subscribe', topic);
  const info = await topicInfo(deps.kernel, topic, deps.config.autoCreateTopics);
  if ((info.perm & 4) === 0) return { status: OK, assignments: [] };
  const endpoints = advertisedEndpoints(req.endpoints, deps.endpoints());
  return { status: OK, assignments: [{ messageQueue: popAssignment(info, { brokerName: deps.kernel.brokerApi.brokerName, endpoints, namespace: ctx.namespace }) }] };
};
