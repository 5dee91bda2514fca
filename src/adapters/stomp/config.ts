/**
 * The STOMP adapter's settings. `defaultStompConfig` mirrors the runtime's defaults
 * (runtime/config-schema.ts, section `stomp`).
 */
export interface StompTlsConfig {
  /** PEM text or bytes */
  key: string | Buffer;
  cert: string | Buffer;
  ca?: string | Buffer;
}

export interface StompAdapterConfig {
  host: string;
  /** TCP listener; 0 = a random free port */
  port: number;
  /** STOMP over WebSocket listener; null or undefined = none, 0 = random */
  wsPort?: number | null;
  /** both listeners speak TLS when given */
  tls?: StompTlsConfig;
  /** STOMP 1.2 §Size Limits: largest frame accepted (command, headers, body) */
  maxFrameBytes: number;
  maxHeaders: number;
  /** bytes of one header line */
  maxHeaderBytes: number;
  /** heart-beat the server offers (STOMP 1.2 §Heart-beating): [can send every, wants to receive every] ms; 0 = none */
  heartBeatMs: [number, number];
  /** a connection that sends no CONNECT within this gets an ERROR and is closed; 0 = wait forever */
  connectTimeoutMs?: number;
  /** concurrent connections over both listeners; undefined = unlimited */
  maxConnections?: number;
  /** unacknowledged messages per subscription when SUBSCRIBE names no prefetch-count */
  defaultPrefetch?: number;
  /** how often subscriptions re-check their group's members and queues (kernel push consumer) */
  rebalanceIntervalMs?: number;
  /**
   * long-poll wait of subscription pulls (kernel push consumer); a stopping
   * subscription leaves its group only when its pull returns
   */
  pullSuspendMs?: number;
  /**
   * SUBSCRIBE creates a kernel topic that does not exist yet, so the first messages
   * sent to it are delivered at once (off: they wait for the consumer's next rebalance)
   */
  createTopicsOnSubscribe?: boolean;
  /**
   * a transaction must COMMIT within this of its BEGIN, or it is rolled back; halves of
   * a transaction twice this old with no commit record are rolled back on check-back
   * (a gateway crashed mid-transaction)
   */
  maxTransactionMs?: number;
  /** the server header of CONNECTED */
  serverName?: string;
}

export const defaultStompConfig: StompAdapterConfig = {
  host: '0.0.0.0',
  port: 61613,
  wsPort: 61614,
  maxFrameBytes: 4 * 1024 * 1024 + 64 * 1024,
  maxHeaders: 1000,
  maxHeaderBytes: 10 * 1024,
  heartBeatMs: [10_000, 10_000],
  connectTimeoutMs: 10_000,
  defaultPrefetch: 100,
  rebalanceIntervalMs: 2_000,
  pullSuspendMs: 5_000,
  createTopicsOnSubscribe: true,
  maxTransactionMs: 60_000,
  serverName: 'rocketgate',
};
