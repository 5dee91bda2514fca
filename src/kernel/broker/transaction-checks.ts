/**
 * Check-back delivery to producers (RocketMQ's Broker2Client.checkProducerTransactionState,
 * turned around): no callback may cross BrokerApi, so a producer that can answer checks
 * long-polls `pollTransactionChecks` and the broker hands it the checks of its group.
 * A producer is live while a poll of it is parked or it polled within `producerExpiryMs`.
 * A queued check is replaced by a newer one of the same transaction and dropped once the
 * transaction is resolved.
 */
import type { PollTransactionChecksRequest, TransactionCheck } from '../client/broker-api.js';
import { KernelError, KernelErrorCode } from '../errors.js';

/** checks handed out by one poll */
export const MAX_CHECKS_PER_POLL = 32;

interface ParkedPoll {
  clientId: string;
  resolve: (checks: TransactionCheck[]) => void;
  timer: NodeJS.Timeout;
}

export class TransactionCheckQueue {
  /** producer group → clientId → last poll time */
  private readonly producers = new Map<string, Map<string, number>>();
  /** producer group → transaction id → check */
  private readonly queued = new Map<string, Map<string, TransactionCheck>>();
  private readonly parked = new Map<string, ParkedPoll[]>();
  private closed = false;

  constructor(private readonly producerExpiryMs: number, private readonly maxWaitMs: number) {}

  hasLiveProducer(group: string): boolean {
    if ((this.parked.get(group)?.length ?? 0) > 0) return true;
    const seen = this.producers.get(group);
    if (!seen) return false;
    const now = Date.now();
    for (const [clientId, at] of seen) {
      if (now - at <= this.producerExpiryMs) return true;
      seen.delete(clientId);
    }
    return false;
  }

  /** queues a check for the group's producers and hands it to a waiting one */
  offer(group: string, check: TransactionCheck): void {
    let checks = this.queued.get(group);
    if (!checks) this.queued.set(group, (checks = new Map()));
    checks.delete(check.transactionId);
    checks.set(check.transactionId, check);
    this.dispatch(group);
  }

  /** the transaction is resolved: its check, if still queued, is void */
  forget(group: string, transactionId: string): void {
    this.queued.get(group)?.delete(transactionId);
  }

  poll(req: PollTransactionChecksRequest): Promise<TransactionCheck[]> {
    if (!req.producerGroup || !req.clientId) throw new KernelError(KernelErrorCode.InvalidArgument, 'a check poll needs a producer group and a client id');
    this.touch(req.producerGroup, req.clientId);
    const ready = this.take(req.producerGroup);
    const waitMs = Math.min(Math.max(req.waitMs ?? 0, 0), this.maxWaitMs);
    if (ready.length > 0 || waitMs === 0 || this.closed) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const poll: ParkedPoll = {
        clientId: req.clientId,
        resolve: (checks) => {
          clearTimeout(poll.timer);
          this.unpark(req.producerGroup, poll);
          this.touch(req.producerGroup, req.clientId);
          resolve(checks);
        },
        timer: setTimeout(() => poll.resolve([]), waitMs),
      };
      let list = this.parked.get(req.producerGroup);
      if (!list) this.parked.set(req.producerGroup, (list = []));
      list.push(poll);
    });
  }

  close(): void {
    this.closed = true;
    for (const list of [...this.parked.values()]) for (const poll of [...list]) poll.resolve([]);
    this.parked.clear();
  }

  private dispatch(group: string): void {
    const list = this.parked.get(group);
    while (list && list.length > 0 && (this.queued.get(group)?.size ?? 0) > 0) list[0]!.resolve(this.take(group));
  }

  private take(group: string): TransactionCheck[] {
    const checks = this.queued.get(group);
    if (!checks) return [];
    const out: TransactionCheck[] = [];
    for (const [id, check] of checks) {
      if (out.length >= MAX_CHECKS_PER_POLL) break;
      out.push(check);
      checks.delete(id);
    }
    return out;
  }

  private touch(group: string, clientId: string): void {
    let seen = this.producers.get(group);
    if (!seen) this.producers.set(group, (seen = new Map()));
    seen.set(clientId, Date.now());
  }

  private unpark(group: string, poll: ParkedPoll): void {
    const list = this.parked.get(group);
    if (!list) return;
    const at = list.indexOf(poll);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.parked.delete(group);
  }
}
