/**
 * The RocketMQ adapter's settings. `defaultRocketMqConfig` mirrors the runtime's defaults
 * (runtime/config-schema.ts, section `rocketmq`); the timers below are not in the runtime
 * config and exist so tests can run them fast.
 */
export interface RocketMqTlsConfig {
  /** PEM text or bytes */
  key: string | Buffer;
  cert: string | Buffer;
}

/** A user's RocketMQ access key (the username) and the secrets it may sign with (the user's tokens). */
export interface RocketMqCredential {
  accessKey: string;
  secretKeys: readonly string[];
}

export interface RocketMqAdapterConfig {
  host: string;
  /** 0 = a random free port */
  port: number;
  tls?: RocketMqTlsConfig;
  /** largest message body a client may send (bytes), announced in the settings handshake */
  maxMessageSize: number;
  /** QueryRoute and QueryAssignment create an unknown topic (the kernel's autoCreateTopics) */
  autoCreateTopics: boolean;
  /** access keys that sign requests (`authorization: MQv2-HMAC-SHA1 ...`) */
  credentials?: readonly RocketMqCredential[];
  /** node name, part of the adapter's kernel client ids */
  nodeId?: string;
  /** invisibility of messages received with auto-renew (PushConsumer); renewed before it lapses */
  autoRenewInvisibleMs?: number;
  /** an auto-renewed message is renewed this long before its invisibility ends */
  autoRenewAheadMs?: number;
  /** auto-renew stops after this long; the message is then redelivered */
  autoRenewMaxMs?: number;
  /** a client that sends no heartbeat and has no telemetry stream this long is forgotten */
  clientExpiryMs?: number;
  /** long-poll wait of one transaction check poll */
  transactionCheckPollMs?: number;
  /** long polling a PushConsumer is told to use (settings handshake) */
  consumerLongPollingMs?: number;
  /** a receive long-poll answers this long before the client's deadline */
  longPollingMarginMs?: number;
}

export type ResolvedRocketMqConfig = Required<Omit<RocketMqAdapterConfig, 'tls'>> & Pick<RocketMqAdapterConfig, 'tls'>;

export const defaultRocketMqConfig: RocketMqAdapterConfig = {
  host: '0.0.0.0',
  port: 8081,
  maxMessageSize: 4 * 1024 * 1024,
  autoCreateTopics: true,
};

export function resolveConfig(config: RocketMqAdapterConfig): ResolvedRocketMqConfig {
  return {
    credentials: [],
    nodeId: 'rocketgate',
    autoRenewInvisibleMs: 60_000,
    autoRenewAheadMs: 20_000,
    autoRenewMaxMs: 3 * 3_600_000,
    clientExpiryMs: 120_000,
    transactionCheckPollMs: 10_000,
    consumerLongPollingMs: 20_000,
    longPollingMarginMs: 500,
    ...config,
  };
}
