/**
 * The contract every protocol adapter fulfils (Artemis' protocol modules over one core).
 * Adapters depend on the kernel client API only; runtime/ creates them from the registry.
 */
import type { KernelClient } from '../kernel/index.js';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Authenticator } from './common/auth.js';
import type { ConnectionDirectory } from './connections.js';
import type { RetainedMessageAdmin } from './retained-messages.js';

export interface ListenerAddress {
  /** e.g. "mqtt", "mqtt-ws", "stomp", "http" */
  name: string;
  host: string;
  port: number;
  url: string;
}

export interface AdapterStats {
  connections: number;
  messagesIn: number;
  messagesOut: number;
  [extra: string]: number;
}

export interface ProtocolAdapter {
  readonly name: string;
  start(): Promise<void>;
  /** stop accepting, close connections gracefully, release kernel consumers */
  stop(): Promise<void>;
  stats(): AdapterStats;
  addresses(): ListenerAddress[];
  /** its individual client connections, for the admin API (adapters with connections of their own) */
  readonly clientConnections?: ConnectionDirectory;
  /** MQTT retained messages, for the admin API */
  readonly retained?: RetainedMessageAdmin;
}

export interface AdapterContext {
  kernel: KernelClient;
  logger: Logger;
  /** the process's prom-client registry; adapters register their own meters */
  metrics: Registry;
  auth: Authenticator;
}

export type AdapterFactory<C> = (context: AdapterContext, config: C) => ProtocolAdapter;
