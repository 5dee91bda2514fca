/** What the broker server's processors share. */
import type { Broker } from '../../kernel/broker/broker.js';
import type { CommitOffsetRequest } from '../../kernel/client/broker-api.js';
import { KernelErrorCode } from '../../kernel/errors.js';
import { ResponseCode } from '../remoting/request-codes.js';
import { ResponseError } from '../remoting/request-dispatcher.js';
import type { Connection } from '../remoting/transport.js';
import type { ClientConnections } from './client-connections.js';
import { KERNEL_CODE_FIELD } from './kernel-errors.js';

export interface BrokerServerContext {
  broker: Broker;
  brokerName: string;
  /** this broker's "host:port", as registered with the nameservers */
  brokerAddr: string;
  /** a slave (broker id > 0): reads only; its log is written by replication */
  slave: boolean;
  connections: ClientConnections;
  /** re-registers with the nameservers if topic configs changed */
  topicsMayHaveChanged(): void;
  /** a producer client announced its group (transaction check-backs go to it) */
  producerSeen(connection: Connection, clientId: string, group: string): void;
  /**
   * after a write that ends at commit log offset `end`: SYNC_MASTER waits until a slave
   * holds it, or throws a ResponseError FLUSH_SLAVE_TIMEOUT / SLAVE_NOT_AVAILABLE
   * (replication/sync-waiter.ts); resolves at once otherwise
   */
  replicated(end: number): Promise<void>;
  /** a consumer committed an offset here (a slave remembers those for its master) */
  offsetCommitted?(commit: CommitOffsetRequest): void;
  /**
   * why this master takes no write now, if it does not (replication: a slave is ahead of
   * it; `storesMessage`: a send, which SYNC_MASTER also holds back until a slave reported)
   */
  writeRefusal?(storesMessage: boolean): string | undefined;
  /**
   * controller-mode master: the first queue offset consumers may not read yet (the
   * high-water mark; replication/high-water-mark.ts), undefined where all is visible
   */
  visibleEnd?: (topic: string, queueId: number) => number | undefined;
  /**
   * controller-mode master: resolves once every in-sync replica holds the commit log up to
   * `end` (pop answers only then: it cannot be capped at the high-water mark)
   */
  readConfirmed?: (end: number) => Promise<void>;
  /** a slave hands back records this master lost: appends them at `offset`, resolves to the new end */
  replicaAppend?(offset: number, bytes: Buffer): Promise<number>;
}

/** refuses a write on a slave as RocketMQ does: SERVICE_NOT_AVAILABLE */
export function assertMaster(ctx: BrokerServerContext, what: string): void {
  if (ctx.slave) {
    throw new ResponseError(ResponseCode.SERVICE_NOT_AVAILABLE, `${what}: broker ${ctx.brokerName} (${ctx.brokerAddr}) is a slave`, { [KERNEL_CODE_FIELD]: KernelErrorCode.ServiceUnavailable });
  }
}

/**
 * assertMaster, and the master takes writes now: SLAVE_NOT_AVAILABLE before anything is
 * stored while replication refuses them (RemoteBrokerApi tries another group)
 */
export function assertWritable(ctx: BrokerServerContext, what: string, storesMessage = true): void {
  assertMaster(ctx, what);
  const refusal = ctx.writeRefusal?.(storesMessage);
  if (refusal !== undefined) {
    throw new ResponseError(ResponseCode.SLAVE_NOT_AVAILABLE, `${what}: ${refusal}`, { [KERNEL_CODE_FIELD]: KernelErrorCode.ServiceUnavailable });
  }
}
