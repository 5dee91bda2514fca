/**
 * Pop consumption over a cluster (broker-server/kernel-pop-processor.ts on each master).
 *
 * A receive sweeps the groups that serve the topic and have a master, one after the other
 * from a rotating start, popping without waiting until `maxMessages` are in hand. When
 * the sweep found nothing and the caller may wait, it parks a KERNEL_POP_WAIT on every
 * such group at once, each with the arrival mark its pop answered, and sweeps again when
 * the first wakes (or answers that its mark is stale). Waits pop nothing, so a wait that
 * answers after the receive returned costs nothing: no message is left invisible in a
 * receive nobody reads. Receipt handles name their broker (kernel receipt-handle.ts), so
 * ack, change of invisibility and nack go to that group's master.
 */
import type {
  AckMessageRequest, ChangeInvisibleTimeRequest, ChangeInvisibleTimeResult, NackMessageRequest, PoppedMessage, PopRequest, PopResult,
} from '../../kernel/client/broker-api.js';
import { decodeReceiptHandle } from '../../kernel/broker/receipt-handle.js';
import { KernelError, KernelErrorCode } from '../../kernel/errors.js';
import type { PopMeta } from '../broker-server/kernel-pop-processor.js';
import { jsonBody } from '../protocol/fastjson.js';
import { decodeEnvelope, decodeStoredRecords } from '../protocol/kernel-bodies.js';
import { createRequest } from '../remoting/command.js';
import { KernelRequestCode } from '../remoting/request-codes.js';
import type { ClusterView } from './cluster-view.js';
import { parseJsonBody } from './json-response.js';
import type { QueueLayout } from './queue-layout.js';

export class RemotePop {
  private readonly rotation = new Map<string, number>();

  constructor(private readonly view: ClusterView) {}

  async pop(req: PopRequest): Promise<PopResult> {
    const layout = await this.view.layout(req.topic);
    if (!layout) throw new KernelError(KernelErrorCode.TopicNotFound, `topic ${JSON.stringify(req.topic)} does not exist`);
    const deadline = Date.now() + Math.max(0, req.waitMs ?? 0);
    for (;;) {
      const names = this.rotate(req, layout.entries.map((e) => e.brokerName).filter((n) => this.view.masterAddress(n) !== undefined));
      if (names.length === 0) throw new KernelError(KernelErrorCode.ServiceUnavailable, `no broker group with a master serves topic ${req.topic} now`);
      if (names.length === 1) return { messages: await this.popFrom(names[0]!, layout, req, Math.max(0, deadline - Date.now())).then((r) => r.messages) };
      const messages: PoppedMessage[] = [];
      const marks = new Map<string, number>();
      let failure: unknown;
      for (const name of names) {
        if (messages.length >= req.maxMessages) break;
        try {
          const got = await this.popFrom(name, layout, { ...req, maxMessages: req.maxMessages - messages.length }, 0);
          messages.push(...got.messages);
          marks.set(name, got.mark);
        } catch (err) {
          failure ??= err;
        }
      }
      if (messages.length > 0) return { messages };
      if (marks.size === 0) throw failure;
      const waitMs = deadline - Date.now();
      if (waitMs <= 0) return { messages: [] };
      const woken = await this.waitAny(req, marks, waitMs);
      if (Date.now() >= deadline) return { messages: [] };
      // every wait failed at once (a broker going away): do not spin
      if (!woken) await new Promise((r) => setTimeout(r, Math.min(100, deadline - Date.now())));
    }
  }

  async ack(req: AckMessageRequest): Promise<void> {
    await this.view.invokeMaster(this.owner(req.receiptHandle), createRequest({ code: KernelRequestCode.KERNEL_ACK, body: jsonBody(req) }));
  }

  async changeInvisibleTime(req: ChangeInvisibleTimeRequest): Promise<ChangeInvisibleTimeResult> {
    const r = await this.view.invokeMaster(this.owner(req.receiptHandle), createRequest({ code: KernelRequestCode.KERNEL_CHANGE_INVISIBLE, body: jsonBody(req) }));
    return parseJsonBody<ChangeInvisibleTimeResult>(r, 'change invisible time');
  }

  async nack(req: NackMessageRequest): Promise<void> {
    await this.view.invokeMaster(this.owner(req.receiptHandle), createRequest({ code: KernelRequestCode.KERNEL_NACK, body: jsonBody(req) }));
  }

  private owner(receiptHandle: string): string {
    return decodeReceiptHandle(receiptHandle).brokerName;
  }

  private async popFrom(brokerName: string, layout: QueueLayout, req: PopRequest, waitMs: number): Promise<{ mark: number; messages: PoppedMessage[] }> {
    const body = jsonBody({ ...req, waitMs });
    const r = await this.view.invokeMaster(brokerName, createRequest({ code: KernelRequestCode.KERNEL_POP, body }), waitMs + this.view.requestTimeoutMs);
    const { meta, records } = decodeEnvelope<PopMeta>(r.body);
    const stored = decodeStoredRecords(records);
    const messages = stored.map((m, i): PoppedMessage => {
      const handle = meta.messages[i]!;
      const queueId = m.topic === layout.topic ? layout.globalId(brokerName, m.queueId) ?? m.queueId : m.queueId;
      return { ...m, queueId, receiptHandle: handle.receiptHandle, invisibleUntil: handle.invisibleUntil };
    });
    return { mark: meta.mark, messages };
  }

  /** parks a wait on every group; true when one woke, false when all ended without */
  private waitAny(req: PopRequest, marks: Map<string, number>, waitMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let pending = marks.size;
      for (const [name, mark] of marks) {
        const body = jsonBody({ group: req.group, topic: req.topic, mark, waitMs });
        this.view.invokeMaster(name, createRequest({ code: KernelRequestCode.KERNEL_POP_WAIT, body }), waitMs + this.view.requestTimeoutMs)
          .then((r) => {
            if (parseJsonBody<{ woken: boolean }>(r, 'pop wait').woken) resolve(true);
          })
          .catch(() => undefined)
          .finally(() => {
            if (--pending === 0) resolve(false);
          });
      }
    });
  }

  private rotate(req: PopRequest, names: string[]): string[] {
    const key = `${req.group}\u0000${req.topic}`;
    const start = (this.rotation.get(key) ?? 0) % Math.max(1, names.length);
    this.rotation.set(key, start + 1);
    return [...names.slice(start), ...names.slice(0, start)];
  }
}
