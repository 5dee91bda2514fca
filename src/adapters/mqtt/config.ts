/** MQTT adapter configuration and its defaults. */
import { hostname } from 'node:os';

export interface MqttAdapterConfig {
  host: string;
  /** TCP listener; 0 = a random free port */
  port: number;
  /** WebSocket listener (path /mqtt, any path accepted); null = off, 0 = random */
  wsPort?: number | null;
  /** PEM key and certificate: when set, both listeners use TLS (mqtts, wss) */
  tls?: { key: string; cert: string };
  /** largest packet accepted, header included [MQTT-3.2.2-15]; advertised in a v5 CONNACK */
  maxPacketSize: number;
  /** most messages a persistent session is sent after an absence, and most queued for a slow client */
  sessionMaxMessages: number;
  /** names this gateway node in kernel group names and persisted wills */
  nodeId: string;
  /** QoS 1/2 messages in flight each way per client: the Receive Maximum we advertise and the most we send unacknowledged */
  maxInflight?: number;
}

export const defaultMqttConfig: MqttAdapterConfig = {
  host: '0.0.0.0',
  port: 1883,
  wsPort: 8083,
  maxPacketSize: 4 * 1024 * 1024 + 1024,
  sessionMaxMessages: 10_000,
  nodeId: hostname(),
  maxInflight: 100,
};

/** the tunables the engine reads, resolved once */
export interface MqttLimits {
  maxPacketSize: number;
  sessionMaxMessages: number;
  maxInflight: number;
  /** topic aliases a client may set (we advertise Topic Alias Maximum) */
  topicAliasMaximum: number;
  /** MQTT 3.1.1 has no receive window, so bound its half-open QoS 2 exchanges by this */
  maxAwaitingRel: number;
  /** how long a client may take to send CONNECT */
  connectTimeoutMs: number;
  /** how often level-1 wildcards look for new kernel topics */
  topicPollMs: number;
  /** long-poll wait of one kernel pull */
  pullSuspendMs: number;
  /** messages per kernel pull: the node's fan-out, and a persistent session (bounded by its window anyway) */
  pullBatchSize: number;
  sessionPullBatchSize: number;
}

export function resolveLimits(config: MqttAdapterConfig): MqttLimits {
  const maxInflight = Math.max(1, Math.min(config.maxInflight ?? defaultMqttConfig.maxInflight!, 65_535));
  return {
    maxPacketSize: config.maxPacketSize,
    sessionMaxMessages: Math.max(1, config.sessionMaxMessages),
    maxInflight,
    topicAliasMaximum: 100,
    maxAwaitingRel: Math.max(100, maxInflight * 10),
    connectTimeoutMs: 30_000,
    topicPollMs: 1_000,
    pullSuspendMs: 5_000,
    pullBatchSize: 256,
    sessionPullBatchSize: 64,
  };
}
