/**
 * The protocol adapters this build ships (Artemis' META-INF/services): each entry says
 * whether the settings enable it and creates it. The runtime starts the enabled ones
 * in this order and stops them in reverse.
 *
 * `AdapterSettings` is the part of the runtime's config the adapters need, with TLS
 * files already read; runtime/embedded.ts builds it (adapters never import the runtime).
 */
import type { AdapterContext, AdapterStats, ProtocolAdapter } from './adapter.js';

/** PEM bytes read from the configured files; `ca` only where the listener verifies client certificates */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

export interface AdapterSettings {
  host: string;
  nodeId: string;
  maxMessageSize: number;
  mqtt: {
    enabled: boolean;
    port: number;
    wsPort: number | null;
    maxPacketSize: number;
    sessionMaxMessages: number;
    maxInflight: number;
    tls?: TlsMaterial;
  };
  stomp: {
    enabled: boolean;
    port: number;
    wsPort: number | null;
    maxFrameBytes: number;
    maxHeaders: number;
    maxHeaderBytes: number;
    heartBeatMs: [number, number];
    maxConnections?: number;
    defaultPrefetch: number;
    tls?: TlsMaterial;
  };
  http: {
    enabled: boolean;
    port: number;
    maxBodyBytes: number;
    idempotencyWindowMs: number;
    tls?: TlsMaterial;
  };
}

/** What the runtime offers adapters that report on the whole server (the HTTP adapter). */
export interface AdapterHostHooks {
  /** ready once every enabled adapter listens, and false again while stopping */
  readiness(): { ready: boolean; listeners: Record<string, boolean> };
  /** version, node, uptime, config values and their sources (secrets masked) */
  info(): Record<string, unknown>;
  /** the other adapters' counters, by adapter name */
  extraStats(): Record<string, Pick<AdapterStats, 'connections' | 'messagesIn' | 'messagesOut'>>;
}

export interface AdapterRegistration {
  readonly name: string;
  enabled(settings: AdapterSettings): boolean;
  create(context: AdapterContext, settings: AdapterSettings, hooks: AdapterHostHooks): ProtocolAdapter;
}

export const adapterRegistry: readonly AdapterRegistration[] = [];
