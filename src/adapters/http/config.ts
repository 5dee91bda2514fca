/**
 * HttpAdapterConfig: what runtime/ hands the HTTP adapter, and its defaults.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ProtocolAdapter } from '../adapter.js';
import type { ClusterStatusSource } from '../cluster-status.js';
import type { ProtocolStats } from './metrics.js';

export interface HttpWebhookConfig {
  /** deliver outbound webhooks from this node (default true) */
  enabled: boolean;
  /** wait before attempt n+1 is backoffMs[min(n-1, length-1)] */
  backoffMs: number[];
  /** per-request timeout when the subscription sets none */
  timeoutMs: number;
  /** requests in flight per unordered subscription on this node */
  concurrency: number;
  /** the subscription log in the kernel gets a full snapshot this often (keeps it clear of retention) */
  snapshotIntervalMs: number;
}

export interface InboundHookConfig {
  secret: string;
  /** standard-webhooks: webhook-id/-timestamp/-signature; github: X-Hub-Signature-256: sha256=<hex> */
  scheme?: 'standard-webhooks' | 'github';
  /** standard-webhooks: accepted clock skew, default 5 min */
  toleranceMs?: number;
}

export interface HttpAdapterConfig {
  host: string;
  /** 0 = a random free port */
  port: number;
  /** PEM text, or a path to a PEM file */
  tls?: { key: string; cert: string };
  maxBodyBytes: number;
  idempotencyWindowMs: number;
  readiness?: () => { ready: boolean; listeners: Record<string, boolean> };
  /** version, uptime, flush mode, config for admin views */
  info?: () => Record<string, unknown>;
  /** other adapters' stats, for admin and metrics */
  extraStats?: () => Record<string, ProtocolStats>;
  /** the process's adapters: client connections and retained messages for the admin API */
  peers?: () => readonly ProtocolAdapter[];
  /** a gateway node's view of its cluster (GET /v1/admin/cluster); absent: embedded */
  clusterStatus?: ClusterStatusSource;
  /** names this gateway node in client ids and per-connection groups; default host-pid-random */
  nodeId?: string;
  /** comment line sent on idle SSE streams, default 15 s */
  sseHeartbeatMs?: number;
  webhooks?: Partial<HttpWebhookConfig>;
  /** POST /v1/hooks/{topic}: per-topic signature check of third-party calls */
  inboundHooks?: Record<string, InboundHookConfig>;
}

export const defaultWebhookConfig: HttpWebhookConfig = {
  enabled: true,
  backoffMs: [1_000, 5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000],
  timeoutMs: 10_000,
  concurrency: 16,
  snapshotIntervalMs: 3_600_000,
};

export const defaultHttpConfig: HttpAdapterConfig = {
  host: '0.0.0.0',
  port: 8080,
  /** a 4 MiB message base64-encoded in a JSON envelope still fits */
  maxBodyBytes: 6 * 1024 * 1024,
  idempotencyWindowMs: 24 * 3600 * 1000,
  sseHeartbeatMs: 15_000,
};

export interface ResolvedHttpConfig extends HttpAdapterConfig {
  nodeId: string;
  sseHeartbeatMs: number;
  webhooks: HttpWebhookConfig;
  inboundHooks: Record<string, InboundHookConfig>;
}

export function resolveConfig(config: HttpAdapterConfig): ResolvedHttpConfig {
  return {
    ...config,
    nodeId: config.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    sseHeartbeatMs: config.sseHeartbeatMs ?? defaultHttpConfig.sseHeartbeatMs ?? 15_000,
    webhooks: { ...defaultWebhookConfig, ...config.webhooks },
    inboundHooks: config.inboundHooks ?? {},
  };
}
