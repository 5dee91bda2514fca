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
  /** present when the node runs in a cluster (nameservers, broker groups) */
  cluster?: ClusterInfo;
}

export interface ClusterInfo {
  nameservers?: string[];
  brokers?: Array<{ brokerName: string; cluster?: string; brokerId: number; address: string; role?: string; replicationLagBytes?: number }>;
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
