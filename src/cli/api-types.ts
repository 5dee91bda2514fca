/**
 * The admin API's answers as the CLI reads them (the wire contract of
 * src/adapters/http/schemas/*.ts, published at /v1/openapi.json). Only the fields the
 * commands show are listed; --json prints the server's documents whole.
 */
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

export interface GroupMember {
  clientId: string;
  protocol: string;
  lastHeartbeat: number;
  subscriptions: Array<{ topic: string; filter: { type: string; expression: string } }>;
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

export interface QueueLagList {
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

export interface DeadLetter extends MessageView {
  originTopic: string;
  originMsgId?: string;
  redriven: boolean;
}

export interface DeadLetterList {
  topic: string;
  nextOffset: number;
  messages: DeadLetter[];
}

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export interface RedriveResponse {
  redriven: number;
  results: Array<{ msgId: string; status: number; newMsgId?: string; topic?: string; error?: ErrorBody }>;
}

export interface PublishResult {
  msgId: string;
  topic: string;
  queueId: number;
  queueOffset: number;
}

export interface ReceivedMessage extends MessageView {
  receiptHandle: string;
  invisibleUntil?: number;
}

export interface HandleResults {
  results: Array<{ receiptHandle: string; status: number; error?: ErrorBody }>;
}

export const DLQ_PREFIX = '%DLQ%';
export const RETRY_PREFIX = '%RETRY%';
