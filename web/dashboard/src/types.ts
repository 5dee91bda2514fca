/**
 * The admin API's answers as the page reads them: the shapes of src/adapters/http/schemas.ts
 * (published at /v1/openapi.json) and of the dashboard's own endpoints.
 */
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

export interface QueueStats {
  queueId: number;
  minOffset: number;
  maxOffset: number;
  lastStoreTimestamp: number;
}

export interface TopicStats {
  topic: string;
  queueCount: number;
  perm: number;
  order: boolean;
  createdAt: number;
  messageCount: number;
  queues: QueueStats[];
}

export interface Subscription {
  topic: string;
  filter: { type: string; expression: string };
}

export interface GroupMember {
  clientId: string;
  protocol: string;
  lastHeartbeat: number;
  subscriptions: Subscription[];
}

export interface GroupInfo {
  group: string;
  messageModel: string;
  consumeFrom: string;
  consumeTimestamp?: number;
  orderly: boolean;
  maxReconsumeTimes: number;
  members: GroupMember[];
}

export interface QueueLag {
  topic: string;
  queueId: number;
  brokerOffset: number;
  consumerOffset: number;
  lag: number;
}

export interface LagList {
  totalLag: number;
  queues: QueueLag[];
}

export interface MessageView {
  msgId: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  tag?: string;
  path?: string;
  keys: string[];
  properties: Record<string, string>;
  contentType?: string;
  body: string;
  encoding: 'utf8' | 'base64';
  shardingKey?: string;
  bornTimestamp: number;
  storeTimestamp: number;
  deliverAt?: number;
  expireAt?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  reconsumeTimes: number;
}

export interface DeadLetterView extends MessageView {
  originTopic: string;
  originMsgId?: string;
  redriven: boolean;
}

export interface DeadLetterList {
  topic: string;
  nextOffset: number;
  messages: DeadLetterView[];
}

export interface RedriveResponse {
  redriven: number;
  results: Array<{ msgId: string; status: number; newMsgId?: string; topic?: string; error?: { code: string; message: string } }>;
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
