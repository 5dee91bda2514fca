/**
 * Where an SSE stream's messages come from.
 *  - live: a push consumer of the stream's group (a named group shares its queues with
 *    the group's other members and keeps offsets; the default is a group per connection,
 *    deleted when the stream closes);
 *  - resume (Last-Event-ID): a pull consumer reading every queue of the topic from the
 *    positions in the id, so what the client missed is delivered before live messages.
 * Every event carries the stream's positions as its id (positions.ts); the first event,
 * `open`, carries the starting positions so even a client that saw no message resumes
 * without loss.
 */
import type { FilterSpec, KernelClient, StoredMessage, TopicStats } from '../../../kernel/index.js';
import { ConsumeFrom, ConsumeStatus, GetStatus, PropertyName } from '../../../kernel/index.js';
import type { HttpDeps } from '../deps.js';
import { messageView } from '../message-map.js';
import type { EventPositions } from './positions.js';
import type { SseStream } from './stream.js';

/** long-poll wait of one pull of a resumed stream */
const RESUME_SUSPEND_MS = 10_000;

export interface SourceOptions {
  topic: string;
  stats: TopicStats;
  filter: FilterSpec | undefined;
  positions: EventPositions;
}

function sendMessage(deps: HttpDeps, stream: SseStream, positions: EventPositions, message: StoredMessage, advance: boolean): Promise<boolean> {
  if (advance) positions.advance(message.queueId, message.queueOffset);
  deps.counters.out(message.topic);
  return stream.send({ id: positions.format(), event: 'message', data: JSON.stringify(messageView(message)) });
}

/** committed offsets of `group` on `topic` (queue → offset) */
async function committedOffsets(kernel: KernelClient, group: string, topic: string): Promise<Map<number, number>> {
  const lags = await kernel.admin.groupLag(group).catch(() => []);
  return new Map(lags.filter((l) => l.topic === topic).map((l) => [l.queueId, l.consumerOffset]));
}

/** Live stream over a push consumer. Returns the cleanup to run when the stream closes. */
export async function startLiveSource(
  deps: HttpDeps,
  stream: SseStream,
  o: SourceOptions & { group: string; ephemeral: boolean; from: 'first' | 'last'; clientId: string },
): Promise<() => Promise<void>> {
  const committed = o.ephemeral ? new Map<number, number>() : await committedOffsets(deps.kernel, o.group, o.topic);
  for (const q of o.stats.queues) {
    const start = committed.get(q.queueId) ?? (o.from === 'first' ? q.minOffset : q.maxOffset);
    o.positions.advance(q.queueId, start - 1);
  }
  const consumer = deps.kernel.createPushConsumer({
    group: o.group,
    clientId: o.clientId,
    consumeFrom: o.from === 'first' ? ConsumeFrom.First : ConsumeFrom.Last,
    protocol: 'http',
    consumeConcurrency: 1,
  });
  consumer.subscribe(o.topic, o.filter);
  // `open` goes out once the group exists (so everything published after it is delivered) and before any message
  let opened!: () => void;
  const ready = new Promise<void>((resolve) => (opened = resolve));
  await consumer.start(async (message) => {
    await ready;
    // a copy from the group's retry topic has its own queue and offset: no position to move
    const retried = message.systemProperties?.[PropertyName.RetryTopic] !== undefined;
    const written = stream.isOpen && (await sendMessage(deps, stream, o.positions, message, !retried));
    if (written || o.ephemeral) return ConsumeStatus.Success;
    return ConsumeStatus.ReconsumeLater;
  });
  await stream.send({ id: o.positions.format(), event: 'open', data: JSON.stringify({ topic: o.topic, group: o.group, mode: 'live' }) });
  opened();
  return async () => {
    await consumer.shutdown(1_000);
    if (o.ephemeral) await deps.kernel.admin.deleteGroup(o.group);
  };
}

/** Resumed stream: every queue read from its position with long-polling pulls. */
export async function startResumeSource(
  deps: HttpDeps,
  stream: SseStream,
  o: SourceOptions & { group: string; clientId: string },
): Promise<() => Promise<void>> {
  const consumer = deps.kernel.createPullConsumer({ group: o.group, clientId: o.clientId, consumeFrom: ConsumeFrom.First });
  const starts = o.stats.queues.map((q) => {
    const position = o.positions.get(q.queueId);
    // a queue the id does not name (added since) is read from its first message
    const start = position === undefined ? q.minOffset : position + 1;
    o.positions.advance(q.queueId, start - 1);
    return { queueId: q.queueId, start };
  });
  await stream.send({ id: o.positions.format(), event: 'open', data: JSON.stringify({ topic: o.topic, group: o.group, mode: 'resume' }) });

  // one stream writes the events of all queues: writes of different queues must not interleave mid-await
  let writing: Promise<unknown> = Promise.resolve();
  const loops = starts.map(async ({ queueId, start }) => {
    let offset = start;
    while (stream.isOpen) {
      const began = Date.now();
      const result = await consumer.pull({ topic: o.topic, queueId, offset, maxMessages: 32, filter: o.filter, suspendMs: RESUME_SUSPEND_MS });
      if (!stream.isOpen) return;
      if (result.status === GetStatus.OffsetTooSmall && result.messages.length === 0) {
        const to = Math.max(result.nextBeginOffset, result.minOffset);
        writing = writing.then(() => stream.send({ event: 'gap', data: JSON.stringify({ queueId, from: offset, to, reason: 'retention' }) }));
        await writing;
        offset = to;
        continue;
      }
      for (const message of result.messages) {
        writing = writing.then(() => sendMessage(deps, stream, o.positions, message, true));
        await writing;
        if (!stream.isOpen) return;
      }
      const next = result.status === GetStatus.OffsetOverflowBadly ? result.maxOffset : result.nextBeginOffset;
      // nothing came back without waiting: do not spin
      if (result.messages.length === 0 && next === offset && Date.now() - began < 50) await Promise.race([stream.closed, delay(200)]);
      offset = next;
    }
  });
  const running = Promise.all(loops).catch(async (err: unknown) => {
    deps.logger.warn({ err, topic: o.topic }, 'SSE resume stream failed');
    await stream.send({ event: 'error', data: JSON.stringify({ error: { code: 'INTERNAL', message: 'stream failed' } }) });
    stream.close();
  });
  // a loop may sit in a long poll for a while after the stream closed: release the group when it returns
  return async () => {
    void running
      .then(() => consumer.shutdown())
      .then(() => deps.kernel.admin.deleteGroup(o.group))
      .catch(() => undefined);
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
  });
}
