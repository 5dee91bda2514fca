/**
 * The RocketMQ clients this node knows, by `x-mq-client-id`: what each declared in its
 * settings (type, group, published topics, subscriptions), its open telemetry streams
 * (where settings and transaction check-backs are written) and when it was last heard
 * of. A client with no telemetry stream and no call for `clientExpiryMs` is forgotten
 * (the proxy's client channel expiry), and so is one that announced its termination.
 */
import type { FilterSpec } from '../../kernel/index.js';
import type { Principal } from '../common/auth.js';
import type { TelemetryCommand } from './proto.js';

export const ClientType = {
  Unspecified: 'CLIENT_TYPE_UNSPECIFIED',
  Producer: 'PRODUCER',
  PushConsumer: 'PUSH_CONSUMER',
  SimpleConsumer: 'SIMPLE_CONSUMER',
  PullConsumer: 'PULL_CONSUMER',
  LitePushConsumer: 'LITE_PUSH_CONSUMER',
  LiteSimpleConsumer: 'LITE_SIMPLE_CONSUMER',
} as const;
export type ClientType = (typeof ClientType)[keyof typeof ClientType];

export const CONSUMER_TYPES = new Set<string>([ClientType.PushConsumer, ClientType.SimpleConsumer, ClientType.PullConsumer]);

export interface TelemetryWriter {
  write(command: TelemetryCommand): void;
}

export interface ClientSession {
  readonly clientId: string;
  clientType: ClientType;
  /** kernel consumer group (consumers only) */
  group?: string;
  namespace: string;
  /** kernel topics this producer publishes to */
  readonly publishing: Set<string>;
  subscriptions: Array<{ topic: string; filter: FilterSpec }>;
  /** a consumer of an orderly group: told to consume FIFO, handed one batch at a time */
  fifo: boolean;
  readonly telemetry: Set<TelemetryWriter>;
  principal?: Principal;
  lastSeen: number;
}

export class ClientRegistry {
  private readonly sessions = new Map<string, ClientSession>();
  private readonly rotation = new Map<string, number>();

  constructor(private readonly expiryMs: number) {}

  get size(): number {
    return this.sessions.size;
  }

  get(clientId: string): ClientSession | undefined {
    return this.sessions.get(clientId);
  }

  /** the client's session, created on its first call; every call counts as a sign of life */
  touch(clientId: string, namespace: string, principal: Principal | undefined, now = Date.now()): ClientSession {
    let session = this.sessions.get(clientId);
    if (!session) {
      session = {
        clientId, clientType: ClientType.Unspecified, namespace, publishing: new Set(), subscriptions: [], fifo: false, telemetry: new Set(), lastSeen: now,
      };
      this.sessions.set(clientId, session);
    }
    session.lastSeen = now;
    if (principal) session.principal = principal;
    return session;
  }

  remove(clientId: string): ClientSession | undefined {
    const session = this.sessions.get(clientId);
    this.sessions.delete(clientId);
    return session;
  }

  /** a live telemetry stream of a producer that publishes `topic`, taken in turn */
  producerFor(topic: string): TelemetryWriter | undefined {
    const writers: TelemetryWriter[] = [];
    for (const s of this.sessions.values()) {
      if (s.clientType === ClientType.Producer && s.publishing.has(topic)) writers.push(...s.telemetry);
    }
    if (writers.length === 0) return undefined;
    const turn = this.rotation.get(topic) ?? 0;
    this.rotation.set(topic, turn + 1);
    return writers[turn % writers.length];
  }

  hasProducerFor(topic: string): boolean {
    for (const s of this.sessions.values()) {
      if (s.clientType === ClientType.Producer && s.publishing.has(topic) && s.telemetry.size > 0) return true;
    }
    return false;
  }

  /** removes and returns the clients silent for longer than the expiry */
  sweep(now = Date.now()): ClientSession[] {
    const expired: ClientSession[] = [];
    for (const s of this.sessions.values()) {
      if (s.telemetry.size === 0 && now - s.lastSeen > this.expiryMs) expired.push(s);
    }
    for (const s of expired) this.sessions.delete(s.clientId);
    return expired;
  }

  all(): IterableIterator<ClientSession> {
    return this.sessions.values();
  }
}
