/**
 * Transactions over a cluster. A half message is stored on one group (remote-send.ts);
 * its transaction id is remembered with that group, so `endTransaction` goes there. An id
 * not seen here (another node sent the half) is tried on every master by id alone: a
 * master that does not hold it answers TRANSACTION_NOT_FOUND (a commit log offset alone
 * could name another broker's half, so it is not sent then).
 *
 * Check-backs: a poll of a producer group keeps one KERNEL_POLL_TRANSACTION_CHECKS parked
 * on every master. Checks that arrive after the caller's poll returned are kept for its
 * next poll, never dropped (each broker hands a check out once per round).
 */
import type { EndTransactionRequest, EndTransactionResult, PollTransactionChecksRequest, TransactionCheck } from '../../kernel/client/broker-api.js';
import { KernelError, KernelErrorCode, isKernelError } from '../../kernel/errors.js';
import { jsonBody } from '../protocol/fastjson.js';
import { storedMessageFromJson, type StoredMessageJson } from '../protocol/kernel-bodies.js';
import { MASTER_ID } from '../protocol/route-data.js';
import { createRequest } from '../remoting/command.js';
import { KernelRequestCode } from '../remoting/request-codes.js';
import type { ClusterView } from './cluster-view.js';
import { parseJsonBody } from './json-response.js';

const REMEMBERED_LIMIT = 100_000;

interface Poller {
  stash: Array<TransactionCheck & { brokerName: string }>;
  parked: Set<string>;
  wake: Array<() => void>;
}

export class RemoteTransactions {
  private readonly owners = new Map<string, string>();
  private readonly pollers = new Map<string, Poller>();

  constructor(private readonly view: ClusterView) {}

  remember(transactionId: string, brokerName: string): void {
    if (this.owners.size >= REMEMBERED_LIMIT) this.owners.delete(this.owners.keys().next().value!);
    this.owners.set(transactionId, brokerName);
  }

  async endTransaction(req: EndTransactionRequest): Promise<EndTransactionResult> {
    const owner = req.transactionId !== undefined ? this.owners.get(req.transactionId) : undefined;
    if (owner) {
      const result = await this.endOn(owner, req);
      this.owners.delete(req.transactionId!);
      return result;
    }
    if (req.transactionId === undefined) throw new KernelError(KernelErrorCode.InvalidArgument, 'endTransaction in a cluster needs the transaction id');
    const masters = (await this.view.groups()).filter((g) => g.brokerAddrs[String(MASTER_ID)] !== undefined);
    let last: unknown = new KernelError(KernelErrorCode.TransactionNotFound, `no unresolved transaction ${req.transactionId}`);
    for (const g of masters) {
      try {
        return await this.endOn(g.brokerName, { ...req, commitLogOffset: undefined });
      } catch (err) {
        if (!isKernelError(err, KernelErrorCode.TransactionNotFound)) last = err;
      }
    }
    throw last;
  }

  async pollChecks(req: PollTransactionChecksRequest): Promise<TransactionCheck[]> {
    const key = `${req.producerGroup}\u0000${req.clientId}`;
    let poller = this.pollers.get(key);
    if (!poller) this.pollers.set(key, (poller = { stash: [], parked: new Set(), wake: [] }));
    const waitMs = Math.max(0, req.waitMs ?? 0);
    if (poller.stash.length === 0) {
      for (const g of await this.view.groups()) {
        if (g.brokerAddrs[String(MASTER_ID)] === undefined || poller.parked.has(g.brokerName)) continue;
        this.park(poller, g.brokerName, req, waitMs);
      }
      if (waitMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          poller.wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    }
    const out = poller.stash.splice(0);
    for (const c of out) this.remember(c.transactionId, c.brokerName);
    return out.map(({ brokerName: _b, ...check }) => check);
  }

  private park(poller: Poller, brokerName: string, req: PollTransactionChecksRequest, waitMs: number): void {
    poller.parked.add(brokerName);
    const body = jsonBody({ producerGroup: req.producerGroup, clientId: req.clientId, waitMs });
    this.view.invokeMaster(brokerName, createRequest({ code: KernelRequestCode.KERNEL_POLL_TRANSACTION_CHECKS, body }), waitMs + this.view.requestTimeoutMs)
      .then((r) => {
        const checks = parseJsonBody<Array<Omit<TransactionCheck, 'message'> & { message: StoredMessageJson }>>(r, 'transaction checks');
        for (const c of checks) poller.stash.push({ ...c, message: storedMessageFromJson(c.message), brokerName });
      })
      .catch(() => undefined)
      .finally(() => {
        poller.parked.delete(brokerName);
        if (poller.stash.length > 0) for (const w of poller.wake.splice(0)) w();
      });
  }

  private async endOn(brokerName: string, req: EndTransactionRequest): Promise<EndTransactionResult> {
    const r = await this.view.invokeMaster(brokerName, createRequest({ code: KernelRequestCode.KERNEL_END_TRANSACTION, body: jsonBody(req) }));
    const result = parseJsonBody<EndTransactionResult>(r, 'end transaction');
    const sent = result.sendResult;
    if (!sent) return result;
    const layout = await this.view.layout(sent.topic).catch(() => undefined);
    return { ...result, sendResult: { ...sent, queueId: layout?.globalId(brokerName, sent.queueId) ?? sent.queueId } };
  }
}
