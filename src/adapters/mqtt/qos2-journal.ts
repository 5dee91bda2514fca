/**
 * The QoS 2 state of persistent sessions that must survive a server restart, kept in
 * the kernel topic `$mqtt-qos2` (a KvTable keyed by client id, like the sessions):
 *
 * - inbound: packet identifiers of QoS 2 PUBLISH packets not yet released, each with
 *   the uniqueId its message is stored with, journaled BEFORE the store: a PUBLISH sent
 *   again (DUP) after a restart is looked up by that id in the kernel and stored only
 *   if the server died before storing it, so never twice [MQTT-4.3.3-2] (method B:
 *   forget the id only at PUBREL);
 * - outbound: the packet identifier given to each kernel message sent at QoS 2 and
 *   its stage (PUBLISH sent, PUBREL sent, completed but its offset not yet committed),
 *   so after a restart the same message goes again with the same id and DUP, or only
 *   its PUBREL [MQTT-4.4.0-1], and a completed one is not sent again.
 *
 * Each change is journaled before the packet it enables is written (PUBREC, PUBLISH,
 * PUBREL, PUBCOMP). Changes made in the same turn share one write; one session's
 * writes go out one after another, so the last one stored is the newest.
 */
import type { KernelClient } from '../../kernel/index.js';
import type { Logger } from 'pino';
import { jsonCodec, KvTable } from './kv-table.js';
import type { Qos2Entry } from './outbound.js';

export const QOS2_TOPIC = '$mqtt-qos2';

export interface Qos2Record {
  clientId: string;
  /** inbound, journaled after the store by earlier versions: stored, waiting for PUBREL */
  received: number[];
  /** inbound: [packet id, uniqueId], journaled before the store, waiting for PUBREL */
  receiving?: Array<[number, string]>;
  /** outbound: by kernel position */
  sent: Qos2Entry[];
}

interface Writer {
  /** the latest caller's view of the session */
  snapshot: () => Qos2Record;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
  done: Promise<void>;
}

export class Qos2Journal {
  private readonly table: KvTable<Qos2Record>;
  private readonly writers = new Map<string, Writer>();

  constructor(o: { kernel: KernelClient; nodeId: string; logger: Logger }) {
    this.table = new KvTable<Qos2Record>({ kernel: o.kernel, topic: QOS2_TOPIC, group: `mqtt-qos2-${o.nodeId}`, logger: o.logger, follow: true, suspendMs: 1_000, codec: jsonCodec(isQos2Record) });
  }

  async open(): Promise<void> {
    await this.table.open();
  }

  /** waits for the writes under way, then closes */
  async close(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.done));
    await this.table.close();
  }

  sync(): Promise<void> {
    return this.table.sync();
  }

  get(clientId: string): Qos2Record | undefined {
    return this.table.get(clientId);
  }

  clientIds(): string[] {
    return [...this.table.values()].map(([k]) => k);
  }

  /** stores `snapshot()` as it is when the write starts; resolves once stored */
  save(clientId: string, snapshot: () => Qos2Record): Promise<void> {
    let writer = this.writers.get(clientId);
    if (!writer) {
      const w: Writer = { snapshot, waiters: [], done: Promise.resolve() };
      this.writers.set(clientId, w);
      w.done = new Promise<void>((r) => queueMicrotask(r)).then(() => this.drain(clientId, w));
      writer = w;
    }
    writer.snapshot = snapshot;
    const w = writer;
    return new Promise<void>((resolve, reject) => w.waiters.push({ resolve, reject }));
  }

  async delete(clientId: string): Promise<void> {
    await this.writers.get(clientId)?.done;
    await this.table.delete(clientId);
  }

  private async drain(clientId: string, writer: Writer): Promise<void> {
    while (writer.waiters.length > 0) {
      const waiters = writer.waiters;
      writer.waiters = [];
      try {
        const record = writer.snapshot();
        if (record.received.length === 0 && (record.receiving ?? []).length === 0 && record.sent.length === 0) await this.table.delete(clientId);
        else await this.table.put(clientId, record);
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.writers.delete(clientId);
  }
}

function isQos2Record(r: Qos2Record): boolean {
  if (r.receiving !== undefined && !Array.isArray(r.receiving)) return false;
  return typeof r.clientId === 'string' && Array.isArray(r.received) && Array.isArray(r.sent);
}
