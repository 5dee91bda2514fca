/**
 * Shared pieces of the store tests: a store on a fresh temp directory, a logger that
 * records warnings, and message builders.
 */
import { makeTempDir } from '../../helpers/temp-dir.js';
import type { Message } from '../../../src/kernel/message/message.js';
import { MessageStore } from '../../../src/kernel/store/message-store.js';
import type { StoreLogger } from '../../../src/kernel/store/store-logger.js';
import type { StoreOptions } from '../../../src/kernel/store/store-api.js';

export interface LoggedLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  obj: object;
}

export class RecordingLogger implements StoreLogger {
  readonly lines: LoggedLine[] = [];
  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', msg, obj });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', msg, obj });
  }
  error(obj: object, msg: string): void {
    this.lines.push({ level: 'error', msg, obj });
  }
  find(text: string): LoggedLine[] {
    return this.lines.filter((l) => l.msg.includes(text));
  }
}

export interface StoreHarness {
  dir: string;
  logger: RecordingLogger;
  store: MessageStore;
  /** close and open again on the same directory */
  reopen(overrides?: Partial<StoreOptions>): Promise<MessageStore>;
  cleanup(): Promise<void>;
}

export async function openTestStore(options: Partial<StoreOptions> = {}): Promise<StoreHarness> {
  const temp = makeTempDir('rocketgate-store-');
  const logger = new RecordingLogger();
  const base: StoreOptions = { dataDir: temp.dir, logger, flushIntervalMs: 50, indexSlotCount: 4096, indexMaxEntries: 16384, ...options };
  const h: StoreHarness = {
    dir: temp.dir,
    logger,
    store: await MessageStore.open(base),
    async reopen(overrides = {}) {
      await h.store.close();
      h.store = await MessageStore.open({ ...base, ...overrides });
      return h.store;
    },
    async cleanup() {
      await h.store.close();
      temp.cleanup();
    },
  };
  return h;
}

export function msg(topic: string, body: string | Buffer, extra: Partial<Message> = {}): Message {
  return { topic, body: typeof body === 'string' ? Buffer.from(body) : body, ...extra };
}

export function bodies(messages: { body: Buffer }[]): string[] {
  return messages.map((m) => m.body.toString());
}
