/**
 * Delivery to persistent sessions: each has its own kernel consumer group
 * (`mqtt-session-<clientId>`) read by a committed KernelReader, so the group's
 * offsets carry what the session missed across a disconnect and a restart. The
 * reader waits while the session's outbound window is full or the client is away;
 * an offset moves past a message only once the client acknowledged it (QoS 1/2) or
 * it was written (QoS 0). After an absence at most `sessionMaxMessages` of the
 * backlog are sent; the rest is skipped.
 */
import type { StoredMessage } from '../../kernel/index.js';
import { deliveryFor, eligible, readerInterest } from './interest.js';
import type { KernelReader, Replay } from './kernel-reader.js';
import { messageToOutbound } from './message-map.js';
import type { Session } from './session.js';
import { topicMatches } from './topic-filter.js';

export type ReaderFactory = (session: Session, deliver: (m: StoredMessage, done: () => void, replay: Replay | undefined) => boolean) => KernelReader;

export class SessionDelivery {
  private readonly readers = new Map<Session, KernelReader>();

  constructor(private readonly createReader: ReaderFactory, private readonly maxBacklog: number) {}

  get readerCount(): number {
    return this.readers.size;
  }

  /** the session's subscriptions changed; `changeSince` is when the new ones were made */
  update(session: Session, changeSince = Date.now()): void {
    const own = session.ownSubscriptions();
    let reader = this.readers.get(session);
    if (!reader) {
      if (own.length === 0) return;
      reader = this.createReader(session, (m, done, replay) => this.deliver(session, m, done, replay));
      this.readers.set(session, reader);
      reader.setInterest(readerInterest(own), changeSince);
      if (session.connection) reader.start();
      return;
    }
    reader.setInterest(readerInterest(own), changeSince);
  }

  /** the client is back: apply the backlog maximum, then read */
  async attached(session: Session): Promise<void> {
    const reader = this.readers.get(session);
    if (!reader) return;
    await reader.limitBacklog(this.maxBacklog);
    reader.start();
  }

  async end(session: Session): Promise<void> {
    const reader = this.readers.get(session);
    this.readers.delete(session);
    await reader?.stop();
  }

  async stopAll(): Promise<void> {
    const readers = [...this.readers.values()];
    this.readers.clear();
    await Promise.all(readers.map((r) => r.stop()));
  }

  private deliver(session: Session, message: StoredMessage, done: () => void, replay: Replay | undefined): boolean {
    const out = messageToOutbound(message, Date.now());
    if (!out) return false;
    const subs = session.ownSubscriptions().filter((s) => eligible(s, message, replay) && topicMatches(s.filter, out.topic));
    if (subs.length === 0) return false;
    const delivery = deliveryFor(session.clientId, out, subs);
    if (!delivery) return false;
    delivery.settle = () => done();
    if (delivery.qos === 2) delivery.origin = { topic: message.topic, queueId: message.queueId, offset: message.queueOffset };
    session.outbound.deliver(delivery);
    return true;
  }
}
