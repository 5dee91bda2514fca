/**
 * QueryRoute: the topic's queues on this broker (route.ts). An unknown topic is created
 * when the kernel auto-creates topics, else TOPIC_NOT_FOUND; the caller must be allowed
 * to publish or subscribe on it.
 */
import { Code, OK, RocketMqError } from '../errors.js';
import { kernelName } from '../message-map.js';
import type { MessageQueue, QueryRouteRequest, Status } from '../proto.js';
import { advertisedEndpoints, messageQueues, topicInfo } from '../route.js';
import type { UnaryHandler } from './context.js';

export interface QueryRouteResponse {
  status: Status;
  messageQueues: MessageQueue[];
}

export const queryRoute: UnaryHandler<QueryRouteRequest, QueryRouteResponse> = async (req, ctx, deps) => {
  const topic = kernelName(req.topic, ctx.namespace);
  if (topic === '') throw new RocketMqError(Code.IllegalTopic, 'topic is required');
  deps.auth.authorizeAny(ctx.principal, topic);
  const info = await topicInfo(deps.kernel, topic, deps.config.autoCreateTopics);
  const endpoints = advertisedEndpoints(req.endpoints, deps.endpoints());
  return { status: OK, messageQueues: messageQueues(info, { brokerName: deps.kernel.brokerApi.brokerName, endpoints, namespace: ctx.namespace }) };
};
