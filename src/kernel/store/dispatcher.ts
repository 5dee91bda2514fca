/**
 * Dispatch: every record appended to the commit log (live, after its batch is written)
 * or replayed from it (recovery, replication) is handed to the dispatchers in order:
 * the built-in consume-queue and index dispatchers, then those added by the broker
 * (RocketMQ's DefaultMessageStore.dispatcherList), then the `onDispatched` listeners,
 * which may rely on the message being readable.
 *
 * Dispatch is idempotent for the consume queues: an entry whose queue offset is below
 * the queue's max is ignored, so replaying from an older checkpoint is harmless.
 */
import { parseProperties, RecordOffset, tagHash } from '../message/record-codec.js';
import { KEY_SEPARATOR, PropertyName } from '../message/properties.js';
import { AppendOutcome, type ConsumeQueue } from './consume-queue.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';
import type { IndexService } from './index-service.js';
import { readInt64BE } from '../common/int64.js';
import type { StoreLogger } from './store-logger.js';
import type { DispatchRequest, Dispatcher } from './store-api.js';

/** A DispatchRequest whose properties map is parsed only if a dispatcher asks for it. */
export class LazyDispatchRequest implements DispatchRequest {
  tagsCode = 0;
  private parsed: Map<string, string> | undefined;

  constructor(
    readonly topic: string,
    readonly queueId: number,
    readonly queueOffset: number,
    readonly commitLogOffset: number,
    readonly size: number,
    readonly storeTimestamp: number,
    readonly sysFlag: number,
    readonly preparedTransactionOffset: number,
    readonly keys: string[],
    readonly uniqueId: string | undefined,
    private readonly propertiesText: string,
  ) {}

  get properties(): Map<string, string> {
    if (!this.parsed) {
      this.parsed = parseProperties(this.propertiesText);
      this.parsed.delete(PropertyName.Crc32);
    }
    return this.parsed;
  }
}

/** Builds the request for the sound record at `pos` of `buf` (replay). */
export function dispatchRequestFromRecord(buf: Buffer, pos: number, size: number): { req: LazyDispatchRequest; tag: string | undefined } {
  const bodyLength = buf.readInt32BE(pos + RecordOffset.BodyLength);
  let p = pos + RecordOffset.BodyLength + 4 + bodyLength;
  const topicLength = buf.readUInt8(p);
  const topic = buf.toString('utf8', p + 1, p + 1 + topicLength);
  p += 1 + topicLength;
  const propsLength = buf.readInt16BE(p);
  const text = buf.toString('utf8', p + 2, p + 2 + propsLength);
  const props = parseProperties(text);
  const keys = props.get(PropertyName.Keys)?.split(KEY_SEPARATOR).filter((k) => k.length > 0) ?? [];
  const req = new LazyDispatchRequest(
    topic,
    buf.readInt32BE(pos + RecordOffset.QueueId),
    readInt64BE(buf, pos + RecordOffset.QueueOffset),
    readInt64BE(buf, pos + RecordOffset.PhysicalOffset),
    size,
    readInt64BE(buf, pos + RecordOffset.StoreTimestamp),
    buf.readInt32BE(pos + RecordOffset.SysFlag),
    readInt64BE(buf, pos + RecordOffset.PreparedTransactionOffset),
    keys,
    props.get(PropertyName.UniqueKey),
    text,
  );
  return { req, tag: props.get(PropertyName.Tags) };
}

/** What the consume-queue dispatcher does when a record's queue offset is ahead of its queue. */
export const GapMode = {
  /** fill the missing offsets with holes (live: the records are lost for good) */
  Fill: 'fill',
  /** leave the queue alone and report it (recovery: the queue is behind and gets rebuilt) */
  Report: 'report',
} as const;
export type GapMode = (typeof GapMode)[keyof typeof GapMode];

export class ConsumeQueueDispatcher implements Dispatcher {
  readonly name = 'consume-queue';
  gapMode: GapMode = GapMode.Fill;
  /** queues found behind while gapMode is Report */
  readonly lagging = new Set<ConsumeQueue>();
  /** when set, only these queues are fed (rebuilding lagging queues) */
  only: Set<ConsumeQueue> | undefined;

  constructor(private readonly table: ConsumeQueueTable, private readonly logger: StoreLogger) {}

  dispatch(req: DispatchRequest): void {
    let cq = this.table.find(req.topic, req.queueId);
    if (!cq) {
      cq = this.table.getOrCreate(req.topic, req.queueId);
      this.only?.add(cq); // a queue first met while rebuilding was missing: rebuild it too
    }
    if (this.only && !this.only.has(cq)) return;
    if (this.lagging.has(cq) && !this.only) return;
    let outcome = cq.append(req.queueOffset, req.commitLogOffset, req.size, req.tagsCode, this.gapMode === GapMode.Fill);
    if (outcome === AppendOutcome.Gap) {
      if (this.gapMode === GapMode.Report) {
        this.lagging.add(cq);
        return;
      }
      this.logger.warn({ topic: req.topic, queueId: req.queueId, from: cq.maxOffset, to: req.queueOffset }, 'consume queue gap: the missing messages are lost, filling with holes');
      cq.fillHoles(req.queueOffset, req.commitLogOffset);
      outcome = cq.append(req.queueOffset, req.commitLogOffset, req.size, req.tagsCode);
    }
    if (outcome === AppendOutcome.Appended) {
      cq.lastStoreTimestamp = req.storeTimestamp;
      this.table.touched(cq);
    }
  }
}

export class IndexDispatcher implements Dispatcher {
  readonly name = 'index';

  constructor(private readonly index: IndexService) {}

  dispatch(req: DispatchRequest): void {
    this.index.buildIndex(req);
  }
}

export type DispatchListener = (req: DispatchRequest) => void;

export class DispatcherChain {
  private readonly extras: Dispatcher[] = [];
  private readonly listeners = new Set<DispatchListener>();

  constructor(
    private readonly builtIns: readonly Dispatcher[],
    private readonly tagsCodeOf: ((req: DispatchRequest) => number) | undefined,
    private readonly logger: StoreLogger,
  ) {}

  add(d: Dispatcher): void {
    this.extras.push(d);
  }

  onDispatched(listener: DispatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets the tags code (tag hash or tagsCodeOf) and runs every dispatcher and listener. */
  dispatch(req: LazyDispatchRequest, tag: string | undefined, only?: 'built-in'): void {
    req.tagsCode = tagHash(tag);
    if (this.tagsCodeOf) req.tagsCode = this.tagsCodeOf(req);
    for (const d of this.builtIns) d.dispatch(req);
    if (only) return;
    for (const d of this.extras) {
      try {
        d.dispatch(req);
      } catch (err) {
        this.logger.error({ err, dispatcher: d.name, commitLogOffset: req.commitLogOffset }, 'dispatcher failed');
      }
    }
    for (const l of this.listeners) {
      try {
        l(req);
      } catch (err) {
        this.logger.error({ err, commitLogOffset: req.commitLogOffset }, 'dispatch listener failed');
      }
    }
  }
}
