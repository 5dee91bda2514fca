/**
 * Topic routes as a RocketMQ 5 client sees them: this listener is the only broker
 * (`brokerName`, id 0), and each kernel queue of the topic is one MessageQueue. A client
 * reaches the broker at the access point it used to ask (so a load balancer's address
 * works), or at this listener's own address when it sent none.
 *
 * Accepted message types follow the topic: an ordered kernel topic takes FIFO messages
 * only (RocketMQ's FIFO topic type); any other takes every kind this server stores.
 */
import type { KernelClient, TopicInfo } from '../../kernel/index.js';
import { Code, RocketMqError } from './errors.js';
import { MessageType, grpcResource } from './message-map.js';
import type { Broker, Endpoints, MessageQueue } from './proto.js';

export const ALL_MESSAGE_TYPES = [MessageType.Normal, MessageType.Fifo, MessageType.Delay, MessageType.Transaction, MessageType.Priority];

/** kernel permission bits (2 write, 4 read) → apache.rocketmq.v2.Permission */
export function permissionOf(perm: number): string {
  const read = (perm & 4) !== 0;
  const write = (perm & 2) !== 0;
  if (read && write) return 'READ_WRITE';
  if (read) return 'READ';
  if (write) return 'WRITE';
  return 'NONE';
}

export function acceptedTypes(info: TopicInfo): string[] {
  return info.order ? [MessageType.Fifo] : ALL_MESSAGE_TYPES;
}

export function advertisedEndpoints(requested: Endpoints | undefined, own: Endpoints): Endpoints {
  const addresses = (requested?.addresses ?? []).filter((a) => a.host && a.port > 0);
  return addresses.length > 0 ? { scheme: requested?.scheme ?? 'IPv4', addresses } : own;
}

/** the topic's kernel info; created first when unknown and auto-creation is on */
export async function topicInfo(kernel: KernelClient, topic: string, autoCreate: boolean): Promise<TopicInfo> {
  const info = await kernel.brokerApi.getTopic(topic);
  if (info) return info;
  if (!autoCreate) throw new RocketMqError(Code.TopicNotFound, `topic ${JSON.stringify(topic)} does not exist and topics are not created automatically`);
  return kernel.admin.createTopic({ topic });
}

export interface RouteContext {
  brokerName: string;
  endpoints: Endpoints;
  namespace: string;
}

export function brokerOf(ctx: RouteContext): Broker {
  return { name: ctx.brokerName, id: 0, endpoints: ctx.endpoints };
}

export function messageQueues(info: TopicInfo, ctx: RouteContext): MessageQueue[] {
  const broker = brokerOf(ctx);
  const queues: MessageQueue[] = [];
  for (let id = 0; id < info.queueCount; id++) {
    queues.push({ topic: grpcResource(info.topic, ctx.namespace), id, permission: permissionOf(info.perm), broker, acceptMessageTypes: acceptedTypes(info) });
  }
  return queues;
}

/** pop consumption takes every queue of the broker: one assignment with queue id -1, as the proxy answers */
export function popAssignment(info: TopicInfo, ctx: RouteContext): MessageQueue {
  return { topic: grpcResource(info.topic, ctx.namespace), id: -1, permission: permissionOf(info.perm), broker: brokerOf(ctx), acceptMessageTypes: acceptedTypes(info) };
}
