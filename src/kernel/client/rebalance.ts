/**
 * Queue allocation among a group's members (RocketMQ's AllocateMessageQueueAveragely):
 * members and queues sorted, each member gets a contiguous run, the first
 * `queues % members` members one more.
 */
export interface QueueRef {
  topic: string;
  queueId: number;
}

export function allocateAveragely<Q>(queues: Q[], members: string[], self: string): Q[] {
  const index = members.indexOf(self);
  if (index < 0 || queues.length === 0) return [];
  const n = members.length;
  const mod = queues.length % n;
  const size = queues.length <= n ? 1 : mod > 0 && index < mod ? Math.floor(queues.length / n) + 1 : Math.floor(queues.length / n);
  const start = mod > 0 && index < mod ? index * size : index * size + mod;
  const range = Math.min(size, queues.length - start);
  const out: Q[] = [];
  for (let i = 0; i < range; i++) out.push(queues[(start + i) % queues.length]!);
  return out;
}

export function queueKey(q: QueueRef): string {
  return `${q.topic}\u0000${q.queueId}`;
}
