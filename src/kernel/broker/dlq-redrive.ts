/**
 * Dead-letter re-drive: sends a group's dead letters (`%DLQ%{group}`, queue 0) back to
 * the topic they were first sent to (DLQ_ORIGIN_TOPIC, retry.ts) as fresh messages:
 * same msgId (so consumers can tell a re-driven duplicate), reconsume count 0, retry and
 * DLQ bookkeeping removed, ORIGIN_MESSAGE_ID kept. Listing dead letters is a normal pull
 * of `%DLQ%{group}`.
 *
 * Each dead letter is re-driven once. Per group, `config/dlq-redrive.json` keeps a cursor
 * (every DLQ offset below it was re-driven) and the re-driven offsets above it (those
 * picked by msgId). A crash between the send and the save re-drives a letter twice, never
 * zero times.
 */
import path from 'node:path';
import type { RedriveDlqRequest, RedriveDlqResult } from '../client/broker-api.js';
import { JsonFileSaver, readJsonFile } from '../common/json-file.js';
import { KeyedMutex } from '../common/keyed-mutex.js';
import { KernelError, KernelErrorCode } from '../errors.js';
import type { Message, StoredMessage } from '../message/message.js';
import { PropertyName } from '../message/properties.js';
import type { Broker } from './broker.js';
import { DLQ_FAILED_AT, DLQ_ORIGIN_QUEUE, DLQ_ORIGIN_TOPIC } from './retry.js';
import { toPlainMessage } from './schedule-service.js';
import { dlqTopic } from './topic-names.js';

interface GroupRedrive {
  cursor: number;
  done: number[];
}

export type DlqBroker = Pick<Broker, 'store' | 'send' | 'isClosed'>;

const DLQ_QUEUE = 0;
const READ_BATCH = 64;

export class DlqRedriveService {
  private readonly state = new Map<string, GroupRedrive>();
  private readonly mutex = new KeyedMutex();
  private readonly saver: JsonFileSaver;

  private constructor(private readonly b: DlqBroker, file: string) {
    this.saver = new JsonFileSaver(file, () => Object.fromEntries(this.state));
  }

  static async open(broker: DlqBroker, configDir: string): Promise<DlqRedriveService> {
    const file = path.join(configDir, 'dlq-redrive.json');
    const service = new DlqRedriveService(broker, file);
    for (const [group, s] of Object.entries(await readJsonFile<Record<string, GroupRedrive>>(file, {}))) service.state.set(group, s);
    return service;
  }

  async redrive(req: RedriveDlqRequest): Promise<RedriveDlqResult> {
    if (this.b.isClosed) throw new KernelError(KernelErrorCode.ServiceUnavailable, 'the broker is shutting down');
    if (!req.group) throw new KernelError(KernelErrorCode.InvalidArgument, 'redriveDlq needs a group');
    return this.mutex.run(req.group, () => this.redriveGroup(req.group, req.msgIds ? new Set(req.msgIds) : undefined));
  }

  flush(): Promise<void> {
    return this.saver.save();
  }

  private async redriveGroup(group: string, wanted: Set<string> | undefined): Promise<RedriveDlqResult> {
    const topic = dlqTopic(group);
    const min = this.b.store.minOffset(topic, DLQ_QUEUE);
    const s = this.state.get(group) ?? { cursor: min, done: [] };
    const done = new Set(s.done);
    let cursor = Math.max(s.cursor, min);
    let redriven = 0;
    let failed = 0;
    let remaining = 0;
    for (let offset = cursor; ;) {
      const result = await this.b.store.get({ topic, queueId: DLQ_QUEUE, offset, maxMessages: READ_BATCH });
      for (const m of result.messages) {
        if (done.has(m.queueOffset)) continue;
        if (wanted && !matches(m, wanted)) {
          remaining++;
          continue;
        }
        try {
          await this.b.send({ message: toRedriven(m) });
          done.add(m.queueOffset);
          redriven++;
        } catch {
          failed++;
          remaining++;
        }
      }
      if (result.nextBeginOffset <= offset) break;
      offset = result.nextBeginOffset;
    }
    while (done.delete(cursor)) cursor++;
    this.state.set(group, { cursor, done: [...done].filter((o) => o >= cursor).sort((a, b) => a - b) });
    await this.saver.save();
    return { redriven, failed, remaining };
  }
}

function matches(m: StoredMessage, wanted: Set<string>): boolean {
  return wanted.has(m.msgId) || wanted.has(m.offsetMsgId) || wanted.has(m.systemProperties?.[PropertyName.OriginMessageId] ?? '');
}

function toRedriven(m: StoredMessage): Message {
  const system = { ...m.systemProperties };
  const origin = system[DLQ_ORIGIN_TOPIC] ?? system[PropertyName.RetryTopic];
  if (!origin) throw new KernelError(KernelErrorCode.InvalidMessage, `dead letter ${m.msgId} does not name its original topic`);
  for (const name of [DLQ_ORIGIN_TOPIC, DLQ_ORIGIN_QUEUE, DLQ_FAILED_AT, PropertyName.RetryTopic, PropertyName.RealQueueId, PropertyName.RealTopic]) delete system[name];
  return { ...toPlainMessage(m), topic: origin, uniqueId: m.msgId, deliverAt: undefined, systemProperties: Object.keys(system).length > 0 ? system : undefined };
}
