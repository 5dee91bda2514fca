/**
 * Which gateway node holds each MQTT client id, cluster-wide: the kernel topic
 * `$mqtt-owners` (a KvTable keyed by client id, followed by every node). A CONNECT
 * claims the client id with the next epoch before its CONNACK; a node that sees
 * another node's claim for a client id it holds closes that connection (v5: 0x8E
 * Session taken over, [MQTT-3.1.4-3]) and stops writing the session: its offset
 * commits and session writes are refused from then on (`holds`).
 *
 * The handover: the node that held the client id closes the connection, stops the
 * session's reader after a last commit of what the client acknowledged, then writes
 * a release record for the new epoch; the claiming node waits for it (or a timeout,
 * for a node that is gone) and reads the session tables up to date before it resumes
 * the session. Commits and writes of the old node after that are refused.
 *
 * A clean session's claim is released when it ends; a persistent session's stays
 * with the node that holds it, which also expires it.
 */
import type { KernelClient } from '../../kernel/index.js';
import type { Logger } from 'pino';
import { jsonCodec, KvTable } from './kv-table.js';

export const OWNERS_TOPIC = '$mqtt-owners';

export interface OwnerRecord {
  clientId: string;
  node: string;
  epoch: number;
}

/** key prefix of release records (a client id never contains U+0000 [MQTT-1.5.4-2]) */
const RELEASED = '\u0000released\u0000';

export class SessionOwners {
  private readonly table: KvTable<OwnerRecord>;
  private readonly releaseWaiters = new Map<string, Set<() => void>>();

  constructor(private readonly o: { kernel: KernelClient; nodeId: string; logger: Logger; lost: (clientId: string, by: OwnerRecord) => void }) {
    this.table = new KvTable<OwnerRecord>({
      kernel: o.kernel,
      topic: OWNERS_TOPIC,
      group: `mqtt-owners-${o.nodeId}`,
      logger: o.logger,
      follow: true,
      suspendMs: 1_000,
      codec: jsonCodec(isOwnerRecord),
      onChange: (key, record, previous) => {
        if (key.startsWith(RELEASED)) {
          for (const wake of this.releaseWaiters.get(key.slice(RELEASED.length)) ?? []) wake();
          return;
        }
        if (record && record.node !== o.nodeId && previous?.node === o.nodeId) o.lost(key, record);
      },
    });
  }

  open(): Promise<void> {
    return this.table.open();
  }

  close(): Promise<void> {
    return this.table.close();
  }

  get(clientId: string): OwnerRecord | undefined {
    return this.table.get(clientId);
  }

  /** this node takes the client id over; resolves once the claim is stored, with the node that held it before */
  async claim(clientId: string): Promise<{ epoch: number; previous: OwnerRecord | undefined }> {
    await this.table.sync();
    const previous = this.table.get(clientId);
    const epoch = (previous?.epoch ?? 0) + 1;
    await this.table.put(clientId, { clientId, node: this.o.nodeId, epoch });
    return { epoch, previous };
  }

  /** the node that held the client id let it go for `epoch` (see the handover above) */
  async released(clientId: string, epoch: number): Promise<void> {
    await this.table.put(RELEASED + clientId, { clientId, node: this.o.nodeId, epoch });
  }

  /** resolves true once the previous holder released the client id for `epoch`, false after `timeoutMs` */
  waitReleased(clientId: string, epoch: number, timeoutMs: number): Promise<boolean> {
    const done = (): boolean => (this.table.get(RELEASED + clientId)?.epoch ?? 0) >= epoch;
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let waiters = this.releaseWaiters.get(clientId);
      if (!waiters) this.releaseWaiters.set(clientId, (waiters = new Set()));
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        waiters!.delete(wake);
        if (waiters!.size === 0) this.releaseWaiters.delete(clientId);
        resolve(ok);
      };
      const wake = (): void => {
        if (done()) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      waiters.add(wake);
    });
  }

  /** writes again this node's claims older than `maxAgeMs`, ahead of kernel retention */
  refresh(maxAgeMs: number): Promise<number> {
    return this.table.refresh(maxAgeMs, (key, r) => !key.startsWith(RELEASED) && r.node === this.o.nodeId);
  }

  /** whether this node still holds the client id at `epoch` (no other node claimed it since) */
  holds(clientId: string, epoch: number): boolean {
    const r = this.table.get(clientId);
    return r === undefined || (r.node === this.o.nodeId && r.epoch <= epoch);
  }

  /** the session ended here: the claim goes, unless another node made a newer one */
  async release(clientId: string, epoch: number): Promise<void> {
    const r = this.table.get(clientId);
    if (r && r.node === this.o.nodeId && r.epoch === epoch) await this.table.delete(clientId);
  }
}

function isOwnerRecord(r: OwnerRecord): boolean {
  return typeof r.clientId === 'string' && typeof r.node === 'string' && typeof r.epoch === 'number';
}
