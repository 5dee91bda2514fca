/**
 * Pop consumption with our receipt handles (request-codes.ts KernelRequestCode), on a
 * master only (pop state is the master's; a slave refuses):
 *
 *   KERNEL_POP(9001)               body PopRequest JSON → envelope (protocol/kernel-bodies.ts):
 *                                  meta {mark, messages: [{receiptHandle, invisibleUntil}]}, one
 *                                  stored record per entry, in the same order
 *   KERNEL_POP_WAIT(9002)          body {group, topic, mark, waitMs} → {woken}: parks until a message
 *                                  reaches the topic's queues or the group's retry queue
 *   KERNEL_ACK(9003)               body AckMessageRequest
 *   KERNEL_CHANGE_INVISIBLE(9004)  body ChangeInvisibleTimeRequest → ChangeInvisibleTimeResult
 *   KERNEL_NACK(9005)              body NackMessageRequest
 *
 * The arrival mark is the sum of the max offsets of every queue a pop of (group, topic)
 * reads. It only grows, so a client that popped nothing from several brokers can wait on
 * all of them at once without popping (RemoteBrokerApi): a wait whose mark is already
 * stale answers at once, so no arrival between the pop and the wait is missed, and no
 * message is popped by a wait whose answer comes too late to be used.
 */
import type {
  AckMessageRequest, ChangeInvisibleTimeRequest, NackMessageRequest, PopRequest,
} from '../../kernel/client/broker-api.js';
import { retryTopic } from '../../kernel/broker/topic-names.js';
import type { Broker } from '../../kernel/broker/broker.js';
import { createResponse } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { KernelRequestCode, ResponseCode } from '../remoting/request-codes.js';
import { encodeEnvelope, jsonBody, readJson } from '../protocol/kernel-bodies.js';
import { assertWritable, type BrokerServerContext } from './context.js';
import { readRecord } from './record-bytes.js';

export interface PopMeta {
  mark: number;
  messages: Array<{ receiptHandle: string; invisibleUntil: number }>;
}

export interface PopWaitRequest {
  group: string;
  topic: string;
  mark: number;
  waitMs: number;
}

/** the queues a pop of (group, topic) reads: the topic's and the group's retry queue */
function popQueues(broker: Broker, group: string, topic: string): Array<{ topic: string; queueId: number }> {
  const info = broker.topics.get(topic);
  const queues: Array<{ topic: string; queueId: number }> = [];
  for (let queueId = 0; queueId < (info?.queueCount ?? 0); queueId++) queues.push({ topic, queueId });
  queues.push({ topic: retryTopic(group), queueId: 0 });
  return queues;
}

export function arrivalMark(broker: Broker, group: string, topic: string): number {
  let mark = 0;
  for (const q of popQueues(broker, group, topic)) mark += broker.store.maxOffset(q.topic, q.queueId);
  return mark;
}

export function registerKernelPopProcessors(server: RemotingServer, ctx: BrokerServerContext): void {
  const { broker } = ctx;
  server.register(KernelRequestCode.KERNEL_POP, async (req) => {
    assertWritable(ctx, 'pop', false);
    const pop = readJson<PopRequest>(req.body, 'pop');
    const mark = arrivalMark(broker, pop.group, pop.topic);
    const result = await broker.pop.pop(pop);
    // controller mode: answer only once every in-sync replica holds what was popped (the
    // high-water mark); should this master fail first, the consumer never saw it
    if (ctx.readConfirmed && result.messages.length > 0) await ctx.readConfirmed(Math.max(...result.messages.map((m) => m.commitLogOffset + m.storeSize)));
    const meta: PopMeta = { mark, messages: [] };
    const records: Buffer[] = [];
    for (const m of result.messages) {
      const record = await readRecord(broker, m.commitLogOffset, m.storeSize);
      if (!record) continue; // deleted by retention meanwhile: its entry is revived as any other
      records.push(record);
      meta.messages.push({ receiptHandle: m.receiptHandle, invisibleUntil: m.invisibleUntil });
    }
    return createResponse(req, { code: ResponseCode.SUCCESS, body: encodeEnvelope(meta, Buffer.concat(records)) });
  });
  server.register(KernelRequestCode.KERNEL_POP_WAIT, async (req) => {
    assertWritable(ctx, 'pop', false);
    const w = readJson<PopWaitRequest>(req.body, 'pop wait');
    const maxWait = broker.options.maxSuspendMs ?? 30_000;
    // the mark and the parking happen in one tick: nothing dispatched in between is missed
    if (arrivalMark(broker, w.group, w.topic) !== w.mark) return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody({ woken: true }) });
    const woken = await broker.hold.waitAny(popQueues(broker, w.group, w.topic), Math.max(0, Math.min(w.waitMs, maxWait)));
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody({ woken }) });
  });
  server.register(KernelRequestCode.KERNEL_ACK, async (req) => {
    assertWritable(ctx, 'ack', false);
    await broker.pop.ack(readJson<AckMessageRequest>(req.body, 'ack'));
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
  server.register(KernelRequestCode.KERNEL_CHANGE_INVISIBLE, async (req) => {
    assertWritable(ctx, 'change invisible time', false);
    const result = await broker.pop.changeInvisibleTime(readJson<ChangeInvisibleTimeRequest>(req.body, 'change invisible time'));
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody(result) });
  });
  server.register(KernelRequestCode.KERNEL_NACK, async (req) => {
    assertWritable(ctx, 'nack', false);
    await broker.pop.nack(readJson<NackMessageRequest>(req.body, 'nack'));
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
}
