/**
 * A last-value-wins table kept in a kernel topic (RocketMQ's way of keeping state in
 * a system topic): `put` appends a record for a key, `delete` a tombstone; `open`
 * replays the topic so the latest record per key wins, and (when `follow` is set)
 * keeps reading so other gateway nodes' writes are seen. A key's records share a
 * sharding key, so they land in one queue in write order.
 *
 * Kernel retention deletes old segments, so live records are written again before
 * they grow old (`refresh`). Records carry no kernel expiry: an expired record
 * must still hide the older ones beneath it.
 *
 * Record layout: the value's message fields, plus properties
 *   mqtt.kv.key = the key,  mqtt.kv.op = "del" for a tombstone.
 */
import type { KernelClient, Message, PullConsumer, StoredMessage } from '../../kernel/index.js';
import type { Logger } from 'pino';

const KEY = 'mqtt.kv.key';
const OP = 'mqtt.kv.op';

export interface KvCodec<V> {
  encode(value: V): Omit<Message, 'topic'>;
  /** undefined when the record is not a valid value */
  decode(record: StoredMessage): V | undefined;
}

/** values stored as JSON; `valid` checks a parsed record (a throw counts as invalid) */
export function jsonCodec<V>(valid: (parsed: V) => boolean): KvCodec<V> {
  return {
    encode: (value) => ({ body: Buffer.from(JSON.stringify(value)), contentType: 'application/json' }),
    decode: (record) => {
      try {
        const parsed = JSON.parse(record.body.toString('utf8')) as V;
        return valid(parsed) ? parsed : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

interface Entry<V> {
  value: V;
  queueId: number;
  queueOffset: number;
  writtenAt: number;
}

export interface KvTableOptions<V> {
  kernel: KernelClient;
  topic: string;
  group: string;
  codec: KvCodec<V>;
  logger: Logger;
  /** keep reading after the replay (other nodes write too) */
  follow: boolean;
  onChange?: (key: string, value: V | undefined, previous: V | undefined) => void;
  suspendMs?: number;
}

export class KvTable<V> {
  private readonly entries = new Map<string, Entry<V>>();
  /** the newest record seen per key (tombstones included): older ones never win */
  private readonly newest = new Map<string, { queueId: number; queueOffset: number }>();
  private readonly producer;
  private readonly consumer: PullConsumer;
  private readonly positions = new Map<number, number>();
  private running = false;
  private loops: Array<Promise<void>> = [];
  private wakers = new Set<() => void>();

  constructor(private readonly o: KvTableOptions<V>) {
    this.producer = o.kernel.createProducer({ group: `${o.group}-producer` });
    this.consumer = o.kernel.createPullConsumer({ group: o.group });
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  *values(): IterableIterator<[string, V]> {
    for (const [k, e] of this.entries) yield [k, e.value];
  }

  /** replays every record still stored, then follows new ones if asked */
  async open(): Promise<void> {
    const api = this.o.kernel.brokerApi;
    if (!(await api.getTopic(this.o.topic))) await api.createTopic({ topic: this.o.topic, queueCount: 1 });
    const stats = await this.o.kernel.admin.topicStats(this.o.topic);
    for (const q of stats?.queues ?? []) {
      let offset = q.minOffset;
      while (offset < q.maxOffset) {
        const result = await this.consumer.pull({ topic: this.o.topic, queueId: q.queueId, offset, maxMessages: 256 });
        for (const record of result.messages) this.apply(record);
        if (result.nextBeginOffset <= offset) break;
        offset = result.nextBeginOffset;
      }
      this.positions.set(q.queueId, Math.max(offset, q.maxOffset));
    }
    if (this.o.follow) {
      this.running = true;
      for (const [queueId] of this.positions) this.loops.push(this.tail(queueId));
    }
  }

  async put(key: string, value: V): Promise<void> {
    const fields = this.o.codec.encode(value);
    const result = await this.producer.send({ ...fields, topic: this.o.topic, shardingKey: key, properties: { ...fields.properties, [KEY]: key } });
    this.set(key, value, result.queueId, result.queueOffset, Date.now());
  }

  async delete(key: string): Promise<void> {
    if (!this.entries.has(key)) return;
    const result = await this.producer.send({ topic: this.o.topic, body: Buffer.alloc(0), shardingKey: key, properties: { [KEY]: key, [OP]: 'del' } });
    this.remove(key, result.queueId, result.queueOffset);
  }

  /**
   * Reads what other nodes wrote up to now (a followed table's tail may lag): after
   * this, every record stored before the call is applied.
   */
  async sync(): Promise<void> {
    const stats = await this.o.kernel.admin.topicStats(this.o.topic);
    for (const q of stats?.queues ?? []) {
      let offset = this.positions.get(q.queueId) ?? q.minOffset;
      while (offset < q.maxOffset) {
        const result = await this.consumer.pull({ topic: this.o.topic, queueId: q.queueId, offset, maxMessages: 256 });
        for (const record of result.messages) this.apply(record);
        if (result.nextBeginOffset <= offset) break;
        offset = result.nextBeginOffset;
      }
    }
  }

  /** writes again the live records older than `maxAgeMs`, ahead of kernel retention */
  async refresh(maxAgeMs: number, only?: (key: string, value: V) => boolean): Promise<number> {
    const cutoff = Date.now() - maxAgeMs;
    let n = 0;
    for (const [key, entry] of [...this.entries]) {
      if (entry.writtenAt >= cutoff || this.entries.get(key) !== entry) continue;
      if (only && !only(key, entry.value)) continue;
      await this.put(key, entry.value);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    this.running = false;
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops);
    await this.producer.shutdown();
    await this.consumer.shutdown().catch(() => undefined);
  }

  private async tail(queueId: number): Promise<void> {
    while (this.running) {
      const offset = this.positions.get(queueId)!;
      let result;
      try {
        const pull = this.consumer.pull({ topic: this.o.topic, queueId, offset, maxMessages: 256, suspendMs: this.o.suspendMs ?? 5_000 });
        result = await new Promise<Awaited<typeof pull> | undefined>((resolve, reject) => {
          const wake = (): void => resolve(undefined);
          this.wakers.add(wake);
          pull.then(resolve, reject).finally(() => this.wakers.delete(wake));
        });
      } catch (err) {
        this.o.logger.warn({ err, topic: this.o.topic }, 'mqtt table read failed');
        await new Promise((r) => setTimeout(r, 1_000).unref());
        continue;
      }
      if (!result || !this.running) return;
      for (const record of result.messages) this.apply(record);
      this.positions.set(queueId, result.nextBeginOffset);
    }
  }

  private apply(record: StoredMessage): void {
    const key = record.properties?.[KEY];
    if (key === undefined) return;
    if (record.properties?.[OP] === 'del') {
      this.remove(key, record.queueId, record.queueOffset);
      return;
    }
    const value = this.o.codec.decode({ ...record, properties: withoutTableProperties(record.properties) });
    if (value === undefined) return;
    this.set(key, value, record.queueId, record.queueOffset, record.storeTimestamp);
  }

  private isNewer(key: string, queueId: number, queueOffset: number): boolean {
    const seen = this.newest.get(key);
    if (seen && seen.queueId === queueId && seen.queueOffset >= queueOffset) return false;
    this.newest.set(key, { queueId, queueOffset });
    return true;
  }

  private set(key: string, value: V, queueId: number, queueOffset: number, writtenAt: number): void {
    if (!this.isNewer(key, queueId, queueOffset)) return;
    const previous = this.entries.get(key)?.value;
    this.entries.set(key, { value, queueId, queueOffset, writtenAt });
    this.o.onChange?.(key, value, previous);
  }

  private remove(key: string, queueId: number, queueOffset: number): void {
    if (!this.isNewer(key, queueId, queueOffset)) return;
    const previous = this.entries.get(key)?.value;
    if (this.entries.delete(key)) this.o.onChange?.(key, undefined, previous);
  }
}

function withoutTableProperties(props: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!props) return undefined;
  const { [KEY]: _k, [OP]: _o, ...rest } = props;
  return rest;
}
