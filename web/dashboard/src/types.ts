/**
 * The admin API's answers as the page reads them: the shapes of src/adapters/http/schemas.ts
 * (published at /v1/openapi.json) and of the dashboard's own endpoints.
 */
export type {
  QueueStats, TopicStats, Subscription, GroupMember, GroupInfo, QueueLag, QueueLagList as LagList, MessageView,
  DeadLetter as DeadLetterView, DeadLetterList, RedriveResponse,
} from '../../../src/adapters/http/api-types.js';
import type { MessageView } from '../../../src/adapters/http/api-types.js';

export interface Session {
  /** false: no or wrong credentials; `reason` says which */
  authenticated: boolean;
  reason?: string;
  username: string;
  admin: boolean;
  readOnly: boolean;
  canRead: boolean;
  canWrite: boolean;
  authRequired: boolean;
}

export interface BrowseResult {
  topic: string;
  queueId: number;
  minOffset: number;
  maxOffset: number;
  startOffset: number;
  nextOffset: number;
  messages: MessageView[];
}

export interface ProtocolStats {
  connections: number;
  messagesIn: number;
  messagesOut: number;
}

export interface ConfigValueSource {
  value: unknown;
  source: 'default' | 'file' | 'env' | 'flag';
  origin?: string;
}

export interface ListenerAddress {
  name: string;
  host: string;
  port: number;
  url: string;
}

export interface ServerInfo {
  name?: string;
  version?: string;
  nodeId?: string;
  dataDir?: string;
  flush?: string;
  startedAt?: string;
  uptimeMs?: number;
  listeners?: ListenerAddress[];
  config?: Record<string, ConfigValueSource>;
}

export interface StorageView {
  embedded: boolean;
  dataDir?: string;
  storeBytes?: number;
  files?: number;
  disk?: { totalBytes: number; freeBytes: number; availableBytes: number };
  measuredAt: number;
}

export interface WebhookView {
  id: string;
  topic: string;
  tagExpression?: string;
  selector?: string;
  url: string;
  maxAttempts: number;
  ordered: boolean;
  timeoutMs: number;
  group: string;
  owner?: string;
  createdAt: number;
}

/** GET /v1/admin/connections */
export type { ConnectionInfo, ConnectionSubscription } from '../../../src/adapters/connections.js';

/** GET /v1/admin/mqtt/retained */
export interface RetainedMessageView {
  topic: string;
  body: string;
  encoding: 'utf8' | 'base64';
  bodySize: number;
  contentType?: string;
  properties: Record<string, string>;
  expireAt?: number;
}

/** GET /v1/admin/rates: messages per second per protocol over the interval ending at `at` */
export interface ServerRateSample {
  at: number;
  in: Record<string, number>;
  out: Record<string, number>;
  connections: Record<string, number>;
}

/** GET /v1/admin/cluster */
export interface ClusterView {
  mode: 'embedded' | 'gateway';
  nodeId: string;
  cluster?: {
    clusterName: string;
    checkedAt: number;
    nameservers: Array<{ address: string; alive: boolean; error?: string }>;
    brokers: Array<{
      cluster: string; brokerName: string; brokerId: number; role: 'master' | 'slave'; address: string; alive: boolean;
      commitLogMaxOffset?: number; replicationLagBytes?: number; error?: string;
    }>;
  };
}
