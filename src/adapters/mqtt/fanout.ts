/**
 * The node's live fan-out for clean sessions: one live kernel reader per gateway
 * node reads every kernel topic some local subscription can match (group
 * `mqtt-node-<nodeId>`, from the time of the subscription) and hands each message
 * to the matching local subscriptions, found in a filter trie. So a message stored
 * by any protocol, on any node, reaches the MQTT subscribers here.
 */
import type { StoredMessage } from '../../kernel/index.js';
import { deliveryFor, eligible, InterestCounter } from './interest.js';
import type { KernelReader, Replay } from './kernel-reader.js';
import { messageToOutbound } from './message-map.js';
import type { Session, Subscription } from './session.js';
import { SubscriptionIndex } from './subscription-index.js';

interface Entry {
  session: Session;
  sub: Subscription;
}

export class NodeFanout {
  private readonly index = new SubscriptionIndex<Entry>();
  /** session → filter → its entry in the index */
  private readonly entries = new Map<Session, Map<string, Entry>>();
  private reader: KernelReader | undefined;
  private readonly counter = new InterestCounter();

  constructor(private readonly createReader: (deliver: (m: StoredMessage, done: () => void, replay: Replay | undefined) => boolean) => KernelReader) {}

  get subscriptionCount(): number {
    return this.index.size;
  }

  start(): void {
    this.reader = this.createReader((m, _done, replay) => this.deliver(m, replay));
    this.reader.start();
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
  }

  add(session: Session, subs: Subscription[]): void {
    let mine = this.entries.get(session);
    if (!mine) this.entries.set(session, (mine = new Map()));
    for (const sub of subs) {
      const old = mine.get(sub.filter);
      if (old) {
        this.index.remove(sub.filter, old);
        this.counter.remove(old.sub);
      }
      const entry = { session, sub };
      mine.set(sub.filter, entry);
      this.index.add(sub.filter, entry);
      this.counter.add(sub);
    }
    this.refresh(Math.min(...subs.map((s) => s.subscribedAt)));
  }

  remove(session: Session, filters: string[]): void {
    const mine = this.entries.get(session);
    if (!mine) return;
    for (const filter of filters) {
      const entry = mine.get(filter);
      if (!entry) continue;
      mine.delete(filter);
      this.index.remove(filter, entry);
      this.counter.remove(entry.sub);
    }
    if (mine.size === 0) this.entries.delete(session);
    this.refresh(Date.now());
  }

  removeSession(session: Session): void {
    const mine = this.entries.get(session);
    if (mine) this.remove(session, [...mine.keys()]);
  }

  private refresh(changeSince: number): void {
    this.reader?.setInterest(this.counter.interest(), changeSince);
  }

  /** live delivery is not acknowledged back to the kernel: the node commits nothing */
  private deliver(message: StoredMessage, replay: Replay | undefined): boolean {
    const out = messageToOutbound(message, Date.now());
    if (!out) return false;
    const matches = this.index.match(out.topic);
    if (matches.length === 0) return false;
    if (matches.length === 1) {
      const { session, sub } = matches[0]!.value;
      if (eligible(sub, message, replay)) {
        const d = deliveryFor(session.clientId, out, [sub]);
        if (d) session.outbound.deliver(d);
      }
      return false;
    }
    const bySession = new Map<Session, Subscription[]>();
    for (const { value } of matches) {
      if (!eligible(value.sub, message, replay)) continue;
      const list = bySession.get(value.session);
      if (list) list.push(value.sub);
      else bySession.set(value.session, [value.sub]);
    }
    for (const [session, subs] of bySession) {
      const d = deliveryFor(session.clientId, out, subs);
      if (d) session.outbound.deliver(d);
    }
    return false;
  }
}
