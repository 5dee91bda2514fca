/**
 * A broker's part in its group's replication, by role (RocketMQ's BrokerRole):
 *
 *   SYNC_MASTER   HA port open (ha-master.ts); a send is acknowledged once a slave holds it
 *                 (sync-waiter.ts, via the broker server's `replicated` hook)
 *   ASYNC_MASTER  HA port open; sends are acknowledged after the local store
 *   SLAVE         copies the master's commit log (ha-slave.ts) and its topics, offsets and
 *                 groups (slave-sync.ts); reads only (Broker `readOnly`). The master's
 *                 addresses come from the nameservers' registration answers, or options.
 *                 A master that restarted behind its slave gets the records it lost back
 *                 from the slave and takes no write until then (master-catch-up.ts).
 *
 * `serverHooks` goes into startBrokerServer's options; runtime/roles.ts wires it.
 */
import type { Broker } from '../../kernel/broker/broker.js';
import type { BrokerServerOptions } from '../broker-server/broker-server.js';
import { RemotingClient } from '../remoting/remoting-client.js';
import { TcpTransport } from '../remoting/tcp-transport.js';
import type { Transport } from '../remoting/transport.js';
import { HaMaster } from './ha-master.js';
import { HaSlave } from './ha-slave.js';
import { MasterCatchUp } from './master-catch-up.js';
import { ResponseCode } from '../remoting/request-codes.js';
import { ResponseError } from '../remoting/request-dispatcher.js';
import { SlaveSync } from './slave-sync.js';
import { SyncWaiter } from './sync-waiter.js';

export const BROKER_ROLES = ['SYNC_MASTER', 'ASYNC_MASTER', 'SLAVE'] as const;
export type BrokerRole = (typeof BROKER_ROLES)[number];

export interface ReplicationOptions {
  broker: Broker;
  role: BrokerRole;
  /** master: the HA listener (RocketMQ's default is the broker port + 1); 0 picks a free port */
  host?: string;
  haPort?: number;
  /** slave: the master's HA and remoting addresses, when not learned from the nameservers */
  masterHaAddress?: string;
  masterAddress?: string;
  /** slave: transport of the config and offset sync (default TCP) */
  transport?: Transport;
  /** SYNC_MASTER: how long a send waits for a slave, default 5 s */
  syncTimeoutMs?: number;
  maxGapBytes?: number;
  heartbeatMs?: number;
  housekeepingMs?: number;
  reconnectMs?: number;
  /** slave: config and offset sync interval, default 10 s */
  syncIntervalMs?: number;
  transferBatchBytes?: number;
  onError?: (err: Error, where: string) => void;
}

export interface ReplicationStats {
  role: BrokerRole;
  connectedSlaves?: number;
  slaveAckOffset?: number;
  syncAcked?: number;
  syncTimedOut?: number;
  syncNotAvailable?: number;
  masterConnected?: boolean;
  appendedBytes?: number;
  pendingOffsets?: number;
  /** master: a slave's log end beyond this master's (it takes no write until caught up) */
  slaveAheadAt?: number;
  /** slave: bytes handed back to a master that restarted behind it */
  handedBackBytes?: number;
}

export interface Replication {
  readonly role: BrokerRole;
  /** master: the HA listener's port */
  readonly haPort?: number;
  readonly serverHooks: Pick<BrokerServerOptions, 'replicated' | 'offsetCommitted' | 'onRegistered' | 'writeRefusal' | 'replicaAppend'>;
  stats(): ReplicationStats;
  close(): Promise<void>;
}

export async function startReplication(o: ReplicationOptions): Promise<Replication> {
  const onError = (where: string) => (err: Error): void => o.onError?.(err, where);
  if (o.role === 'SLAVE') {
    if (!o.broker.options.readOnly) throw new Error('a SLAVE broker must be opened readOnly: replication writes its commit log');
    const client = new RemotingClient(o.transport ?? new TcpTransport(), { requestTimeoutMs: 3_000 });
    const sync = new SlaveSync({ broker: o.broker, client, masterAddress: o.masterAddress, intervalMs: o.syncIntervalMs, onError: onError('slave sync') });
    // a master that is back gets this slave's offsets at once, not at the next round
    const ha = new HaSlave({
      store: o.broker.store, masterHaAddress: o.masterHaAddress, heartbeatMs: o.heartbeatMs, housekeepingMs: o.housekeepingMs,
      reconnectMs: o.reconnectMs, onError: onError('ha slave'), onConnected: () => sync.masterReturned(),
    });
    // while the HA connection is down, the master may be back behind this slave: hand it its records
    const catchUp = new MasterCatchUp({ store: o.broker.store, client, onError: onError('master catch-up') });
    let masterAddress = o.masterAddress;
    const catchUpTimer = setInterval(() => {
      if (!ha.connected && masterAddress) void catchUp.run(masterAddress);
    }, o.reconnectMs ?? 1_000);
    catchUpTimer.unref();
    return {
      role: o.role,
      serverHooks: {
        offsetCommitted: (commit) => sync.offsetCommitted(commit),
        onRegistered: (outcomes) => {
          const answer = outcomes.find((r) => r.ok && r.masterAddr);
          if (!answer) return;
          if (!o.masterHaAddress && answer.haServerAddr) ha.setMaster(answer.haServerAddr);
          if (!o.masterAddress) {
            sync.setMaster(answer.masterAddr);
            masterAddress = answer.masterAddr;
          }
        },
      },
      stats: () => ({
        role: o.role, masterConnected: ha.connected, appendedBytes: ha.appendedBytes, pendingOffsets: sync.pendingCount, handedBackBytes: catchUp.pushedBytes,
      }),
      close: async () => {
        clearInterval(catchUpTimer);
        await ha.close();
        await sync.close();
        await client.close();
      },
    };
  }
  const master = await HaMaster.listen({
    store: o.broker.store, host: o.host, port: o.haPort ?? 0, heartbeatMs: o.heartbeatMs, housekeepingMs: o.housekeepingMs,
    transferBatchBytes: o.transferBatchBytes, onError: onError('ha master'),
  });
  const waiter = o.role === 'SYNC_MASTER'
    ? new SyncWaiter(master, { timeoutMs: o.syncTimeoutMs, maxGapBytes: o.maxGapBytes, masterMaxOffset: () => o.broker.store.commitLogMaxOffset })
    : undefined;
  return {
    role: o.role,
    haPort: master.port,
    serverHooks: {
      ...(waiter ? { replicated: (end: number) => waiter.wait(end) } : {}),
      writeRefusal: (storesMessage) => {
        const ahead = master.slaveAheadAt;
        const end = o.broker.store.commitLogMaxOffset;
        if (ahead !== undefined) return `this master's commit log ends at ${end}, behind its slave's ${ahead}: no write until the slave handed back the records it lost`;
        // a slave that reports first may be ahead of this log: nothing may take offsets it holds
        if (storesMessage && waiter && !master.slaveReportedSinceStart) return 'no slave has reported since this SYNC_MASTER started';
        return undefined;
      },
      replicaAppend: (offset, bytes) => {
        if (master.slaveAheadAt === undefined) {
          return Promise.reject(new ResponseError(ResponseCode.SERVICE_NOT_AVAILABLE, 'this master is not behind a slave: it takes no records from one'));
        }
        return o.broker.store.appendRaw(offset, bytes);
      },
    },
    stats: () => ({
      role: o.role, connectedSlaves: master.connectedSlaves, slaveAckOffset: master.ackOffset, slaveAheadAt: master.slaveAheadAt,
      syncAcked: waiter?.counts.acked, syncTimedOut: waiter?.counts.timedOut, syncNotAvailable: waiter?.counts.notAvailable,
    }),
    close: async () => {
      waiter?.close();
      await master.close();
    },
  };
}
