/**
 * Admin and lookup of the kernel that RocketMQ 4 has no request for (request-codes.ts
 * KernelRequestCode); JSON in, JSON out, queue ids local to this broker (RemoteBrokerApi
 * maps them into a topic's cluster-wide queue id space):
 *
 *   KERNEL_TOPIC_INFO(9016)    {topic} → TopicInfo, or TOPIC_NOT_EXIST; {} → every TopicInfo
 *   KERNEL_TOPIC_STATS(9012)   {topic} → TopicStats, or TOPIC_NOT_EXIST
 *   KERNEL_GROUP_INFO(9013)    {group?} → GroupInfo[] (the one group, or every group)
 *   KERNEL_DELETE_GROUP(9014)  {group} → {existed}
 *   KERNEL_GROUP_LAG(9011)     {group} → QueueLag[]
 *   KERNEL_RESET_OFFSET(9010)  {group, topic, timestamp} → QueueLag[]  (on slaves too: offsets only)
 *   KERNEL_VIEW_MESSAGE(9015)  {msgId} → the stored record, or QUERY_NOT_FOUND
 *   KERNEL_REDRIVE_DLQ(9009)   RedriveDlqRequest → RedriveDlqResult (master only)
 */
import type { RedriveDlqRequest } from '../../kernel/client/broker-api.js';
import { createResponse } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { KernelRequestCode, ResponseCode } from '../remoting/request-codes.js';
import { jsonBody, readJson } from '../protocol/kernel-bodies.js';
import { assertWritable, type BrokerServerContext } from './context.js';
import { readRecord } from './record-bytes.js';

export function registerKernelAdminProcessors(server: RemotingServer, ctx: BrokerServerContext): void {
  const { broker } = ctx;
  const json = (req: Parameters<typeof createResponse>[0], value: unknown) => createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody(value) });
  const noTopic = (req: Parameters<typeof createResponse>[0], topic: string) => createResponse(req, { code: ResponseCode.TOPIC_NOT_EXIST, remark: `topic ${JSON.stringify(topic)} does not exist on ${ctx.brokerName}` });

  server.register(KernelRequestCode.KERNEL_TOPIC_INFO, (req) => {
    const { topic } = readJson<{ topic?: string }>(req.body, 'topic info');
    if (topic === undefined) return json(req, broker.topics.list());
    const info = broker.topics.get(topic);
    return info ? json(req, info) : noTopic(req, topic);
  });
  server.register(KernelRequestCode.KERNEL_TOPIC_STATS, (req) => {
    const { topic } = readJson<{ topic: string }>(req.body, 'topic stats');
    const stats = broker.topicStats(topic);
    return stats ? json(req, stats) : noTopic(req, topic);
  });
  server.register(KernelRequestCode.KERNEL_GROUP_INFO, (req) => {
    const { group } = readJson<{ group?: string }>(req.body, 'group info');
    const names = group !== undefined ? [group] : broker.groups.list().map((g) => g.group);
    return json(req, names.map((g) => broker.groupInfo(g)).filter((g) => g !== undefined));
  });
  server.register(KernelRequestCode.KERNEL_DELETE_GROUP, async (req) => {
    const { group } = readJson<{ group: string }>(req.body, 'delete group');
    return json(req, { existed: await broker.deleteGroup(group) });
  });
  server.register(KernelRequestCode.KERNEL_GROUP_LAG, (req) => {
    const { group } = readJson<{ group: string }>(req.body, 'group lag');
    return json(req, broker.groupLag(group));
  });
  server.register(KernelRequestCode.KERNEL_RESET_OFFSET, async (req) => {
    const r = readJson<{ group: string; topic: string; timestamp: number }>(req.body, 'reset offset');
    if (!broker.topics.get(r.topic)) return noTopic(req, r.topic);
    return json(req, await broker.resetOffset(r));
  });
  server.register(KernelRequestCode.KERNEL_VIEW_MESSAGE, async (req) => {
    const { msgId } = readJson<{ msgId: string }>(req.body, 'view message');
    const found = await broker.viewMessage(msgId);
    const record = found ? await readRecord(broker, found.commitLogOffset, found.storeSize) : undefined;
    if (!record) return createResponse(req, { code: ResponseCode.QUERY_NOT_FOUND, remark: `no message ${msgId} on ${ctx.brokerName}` });
    return createResponse(req, { code: ResponseCode.SUCCESS, body: record });
  });
  server.register(KernelRequestCode.KERNEL_REDRIVE_DLQ, async (req) => {
    assertWritable(ctx, 'redrive');
    return json(req, await broker.dlq.redrive(readJson<RedriveDlqRequest>(req.body, 'redrive')));
  });
}
