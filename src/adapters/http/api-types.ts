/**
 * The HTTP API's answers as its clients read them: the one TypeScript view of the wire
 * contract that schemas/*.ts define and /v1/openapi.json publishes. The CLI and the
 * dashboard import these types (types only: nothing here runs).
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
