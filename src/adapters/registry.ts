/**
 * The protocol adapters this build ships (Artemis' META-INF/services): each entry says
 * whether the settings enable it and creates it. The runtime starts the enabled ones
 * in this order and stops them in reverse.
 *
 * `AdapterSettings` is the part of the runtime's config the adapters need, with TLS
 * files already read; runtime/embedded.ts builds it (adapters never import the runtime).
 */
import type { AdapterContext, AdapterStats, ProtocolAdapter } from './adapter.js';
import type { ClusterStatusSource } from './cluster-status.js';
import { createHttpAdapter } from './http/index.js';
import { createMqttAdapter } from './mqtt/index.js';
import { createRocketMqAdapter } from './rocketmq/index.js';
import { createStompAdapter } from './stomp/index.js';

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
  rocketmq: {
    enabled: boolean;
    port: number;
    /** the kernel creates unknown topics (QueryRoute may create one) */
    autoCreateTopics: boolean;
    /** access key (username) → the secrets it signs with (that user's tokens) */
    credentials: Array<{ accessKey: string; secretKeys: string[] }>;
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
  /** the started adapters (their client connections and retained messages, for the admin API) */
  adapters(): readonly ProtocolAdapter[];
  /** a gateway node's view of its cluster; absent when the server runs embedded */
  clusterStatus?: ClusterStatusSource;
}

export interface AdapterRegistration {
  readonly name: string;
  enabled(settings: AdapterSettings): boolean;
  create(context: AdapterContext, settings: AdapterSettings, hooks: AdapterHostHooks): ProtocolAdapter;
}

const pem = (bytes: Buffer): string => bytes.toString('utf8');

const mqtt: AdapterRegistration = {
  name: 'mqtt',
  enabled: (s) => s.mqtt.enabled,
  create: (context, s) => createMqttAdapter(context, {
    host: s.host,
    port: s.mqtt.port,
    wsPort: s.mqtt.wsPort,
    nodeId: s.nodeId,
    maxPacketSize: s.mqtt.maxPacketSize,
    sessionMaxMessages: s.mqtt.sessionMaxMessages,
    maxInflight: s.mqtt.maxInflight,
    ...(s.mqtt.tls ? { tls: { cert: pem(s.mqtt.tls.cert), key: pem(s.mqtt.tls.key) } } : {}),
  }),
};

const stomp: AdapterRegistration = {
  name: 'stomp',
  enabled: (s) => s.stomp.enabled,
  create: (context, s) => createStompAdapter(context, {
    host: s.host,
    port: s.stomp.port,
    wsPort: s.stomp.wsPort,
    maxFrameBytes: s.stomp.maxFrameBytes,
    maxHeaders: s.stomp.maxHeaders,
    maxHeaderBytes: s.stomp.maxHeaderBytes,
    heartBeatMs: s.stomp.heartBeatMs,
    defaultPrefetch: s.stomp.defaultPrefetch,
    ...(s.stomp.maxConnections === undefined ? {} : { maxConnections: s.stomp.maxConnections }),
    ...(s.stomp.tls ? { tls: s.stomp.tls } : {}),
  }),
};

const http: AdapterRegistration = {
  name: 'http',
  enabled: (s) => s.http.enabled,
  create: (context, s, hooks) => createHttpAdapter(context, {
    host: s.host,
    port: s.http.port,
    nodeId: s.nodeId,
    maxBodyBytes: s.http.maxBodyBytes,
    idempotencyWindowMs: s.http.idempotencyWindowMs,
    readiness: hooks.readiness,
    info: hooks.info,
    extraStats: hooks.extraStats,
    peers: hooks.adapters,
    ...(hooks.clusterStatus ? { clusterStatus: hooks.clusterStatus } : {}),
    ...(s.http.tls ? { tls: { cert: pem(s.http.tls.cert), key: pem(s.http.tls.key) } } : {}),
  }),
};

const rocketmq: AdapterRegistration = {
  name: 'rocketmq',
  enabled: (s) => s.rocketmq.enabled,
  create: (context, s) => createRocketMqAdapter(context, {
    host: s.host,
    port: s.rocketmq.port,
    nodeId: s.nodeId,
    maxMessageSize: s.maxMessageSize,
    autoCreateTopics: s.rocketmq.autoCreateTopics,
    credentials: s.rocketmq.credentials,
    ...(s.rocketmq.tls ? { tls: { cert: s.rocketmq.tls.cert, key: s.rocketmq.tls.key } } : {}),
  }),
};

/** started in this order, stopped in reverse: HTTP last up and first down, as it reports on the others */
export const adapterRegistry: readonly AdapterRegistration[] = [mqtt, stomp, rocketmq, http];
