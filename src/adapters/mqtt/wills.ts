/**
 * Will messages (v3.1.1 §3.1.2.5, v5 §3.1.2.5 and §3.1.3.2). A will is stored with its
 * session [MQTT-3.1.2-7] in the kernel topic `$mqtt-wills` (a KvTable keyed by client
 * id), and published when the connection closes without a normal DISCONNECT
 * [MQTT-3.1.2-8]: after the v5 Will Delay Interval, or when the session ends if
 * that is sooner, unless the client connects again first [MQTT-3.1.3-9]. It is
 * removed once published or on DISCONNECT 0x00 [MQTT-3.1.2-10]. Wills of clients
 * that were connected to this node when it stopped or crashed are published at the
 * next start.
 */
import type { KernelClient } from '../../kernel/index.js';
import type { IConnectPacket, QoS } from 'mqtt-packet';
import type { Logger } from 'pino';
import type { Connection } from './connection.js';
import { jsonCodec, KvTable } from './kv-table.js';
import type { Publisher } from './publisher.js';

export const WILLS_TOPIC = '$mqtt-wills';

type Will = NonNullable<IConnectPacket['will']>;

export interface WillRecord {
  clientId: string;
  node: string;
  delayMs: number;
  topic: string;
  /** base64 */
  payload: string;
  qos: QoS;
  retain: boolean;
  properties?: Omit<NonNullable<Will['properties']>, 'correlationData' | 'willDelayInterval'> & { correlationData?: string };
}

export class WillService {
  private readonly table: KvTable<WillRecord>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  published = 0;

  constructor(private readonly o: { kernel: KernelClient; nodeId: string; logger: Logger; publisher: Publisher }) {
    // followed: a client that connects again on another node replaces (or removes) the will held here
    this.table = new KvTable<WillRecord>({
      kernel: o.kernel,
      topic: WILLS_TOPIC,
      group: `mqtt-wills-${o.nodeId}`,
      logger: o.logger,
      follow: true,
      suspendMs: 1_000,
      codec: jsonCodec(isWillRecord),
      onChange: (clientId, record) => {
        if (!record || record.node !== o.nodeId) this.cancel(clientId);
      },
    });
  }

  get pending(): number {
    return this.table.size;
  }

  /** replays the wills; those this node held when it stopped are due now (after their delay) */
  async open(): Promise<void> {
    await this.table.open();
    for (const [clientId, record] of this.table.values()) {
      if (record.node === this.o.nodeId) this.schedule(clientId, record.delayMs);
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.table.close();
  }

  /** CONNECT accepted: a pending will of an earlier connection is not sent [MQTT-3.1.3-9]; the new one is stored */
  async arm(conn: Connection, will: Will | undefined, sessionExpiry: number): Promise<void> {
    this.cancel(conn.clientId);
    if (!will) {
      await this.table.delete(conn.clientId);
      return;
    }
    const { willDelayInterval, correlationData, ...props } = will.properties ?? {};
    const delaySeconds = conn.version === 5 ? Math.min(willDelayInterval ?? 0, sessionExpiry) : 0;
    const payload = typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload;
    const record: WillRecord = { clientId: conn.clientId, node: this.o.nodeId, delayMs: delaySeconds * 1000, topic: will.topic, payload: payload.toString('base64'), qos: will.qos ?? 0, retain: will.retain === true };
    if (conn.version === 5 && (Object.keys(props).length > 0 || correlationData)) {
      record.properties = { ...props, ...(correlationData ? { correlationData: correlationData.toString('base64') } : {}) };
    }
    await this.table.put(conn.clientId, record);
  }

  /** the connection closed: publish (after the delay) unless it was a normal DISCONNECT */
  async closed(clientId: string, opts: { normal: boolean; sessionEnds: boolean }): Promise<void> {
    const record = this.table.get(clientId);
    if (!record || record.node !== this.o.nodeId) return;
    if (opts.normal) {
      await this.table.delete(clientId);
      return;
    }
    this.schedule(clientId, opts.sessionEnds ? 0 : record.delayMs);
  }

  /** the session ended: a will still waiting for its delay goes now [MQTT-3.1.2-8] */
  async sessionEnded(clientId: string): Promise<void> {
    if (this.timers.has(clientId)) await this.fire(clientId);
  }

  private schedule(clientId: string, delayMs: number): void {
    this.cancel(clientId);
    if (delayMs <= 0) {
      void this.fire(clientId);
      return;
    }
    const timer = setTimeout(() => void this.fire(clientId), delayMs);
    timer.unref();
    this.timers.set(clientId, timer);
  }

  private cancel(clientId: string): void {
    const t = this.timers.get(clientId);
    if (t) clearTimeout(t);
    this.timers.delete(clientId);
  }

  private async fire(clientId: string): Promise<void> {
    this.cancel(clientId);
    const record = this.table.get(clientId);
    if (!record || record.node !== this.o.nodeId) return;
    try {
      const { correlationData, ...props } = record.properties ?? {};
      const properties = record.properties ? { ...props, ...(correlationData !== undefined ? { correlationData: Buffer.from(correlationData, 'base64') } : {}) } : undefined;
      await this.o.publisher.publish({ clientId, topic: record.topic, payload: Buffer.from(record.payload, 'base64'), qos: record.qos, retain: record.retain, properties });
      this.published++;
    } catch (err) {
      this.o.logger.warn({ err, clientId, topic: record.topic }, 'mqtt will could not be published');
    }
    // it may have been replaced by a new connection meanwhile
    if (this.table.get(clientId) === record) await this.table.delete(clientId).catch(() => undefined);
  }
}

function isWillRecord(r: WillRecord): boolean {
  return typeof r.clientId === 'string' && typeof r.topic === 'string';
}
