/**
 * Topic and group names (DESIGN.md §3): UTF-8 without `/ + #` or control characters,
 * at most 127 bytes (the record layout stores the topic length in one byte).
 */
import { KernelError, KernelErrorCode } from '../errors.js';
import { MAX_TOPIC_BYTES } from '../message/record-codec.js';

export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
export const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%';
export const SCHEDULE_TOPIC = 'SCHEDULE_TOPIC_XXXX';
export const TRANS_HALF_TOPIC = 'RMQ_SYS_TRANS_HALF_TOPIC';
export const TRANS_OP_HALF_TOPIC = 'RMQ_SYS_TRANS_OP_HALF_TOPIC';

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[/+#\u0000-\u001f\u007f]/;

export function topicNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'topic name is empty';
  if (Buffer.byteLength(name) > MAX_TOPIC_BYTES) return `topic name is longer than ${MAX_TOPIC_BYTES} bytes`;
  const bad = FORBIDDEN.exec(name);
  if (bad) return `topic name contains a forbidden character ${JSON.stringify(bad[0])} at ${bad.index} (not allowed: / + # and control characters)`;
  return undefined;
}

export function validateTopicName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem) throw new KernelError(KernelErrorCode.InvalidTopic, `invalid topic ${JSON.stringify(name)}: ${problem}`);
}

export function validateGroupName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem) throw new KernelError(KernelErrorCode.InvalidArgument, `invalid group ${JSON.stringify(name)}: ${problem.replace('topic', 'group')}`);
}

export function retryTopic(group: string): string {
  return RETRY_GROUP_TOPIC_PREFIX + group;
}

export function dlqTopic(group: string): string {
  return DLQ_GROUP_TOPIC_PREFIX + group;
}

export function isSystemTopic(topic: string): boolean {
  return topic === SCHEDULE_TOPIC || topic === TRANS_HALF_TOPIC || topic === TRANS_OP_HALF_TOPIC || topic.startsWith('rmq_sys_');
}
