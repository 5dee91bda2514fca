/**
 * RocketMQ 5's gRPC protocol (`apache.rocketmq.v2.MessagingService`), loaded at run time
 * with @grpc/proto-loader from the .proto files that ship inside the npm package
 * `rocketmq-client-nodejs` (proto/apache/rocketmq/v2/), so the wire format is Apache's own.
 *
 * Loader options fix the JavaScript shape of every message, and the interfaces below
 * describe that shape for the fields this adapter reads or writes:
 *   keepCase false  → camelCase field names (`message_queues` is `messageQueues`)
 *   enums String    → enum values are their names (`'OK'`, `'TRANSACTION'`)
 *   longs Number    → int64 as number (offsets and seconds stay below 2^53)
 *   defaults false  → an unset scalar is undefined, so proto3 `optional` fields are visible
 *   arrays, objects → repeated fields and maps are always present
 *   oneofs true     → a oneof's name holds the case that is set (`content: 'status'`)
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

export const PROTO_PACKAGE = 'rocketmq-client-nodejs';
export const SERVICE_PROTO = 'apache/rocketmq/v2/service.proto';
export const SERVICE_NAME = 'apache.rocketmq.v2.MessagingService';

export const LOADER_OPTIONS: Options = {
  keepCase: false, longs: Number, enums: String, defaults: false, arrays: true, objects: true, oneofs: true,
};

/** the directory that holds `apache/rocketmq/v2/*.proto` inside the installed package */
export function protoRoot(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve(`${PROTO_PACKAGE}/package.json`)), 'proto');
}

let loaded: ServiceClientConstructor | undefined;

/** the MessagingService client constructor; its `.service` is the server's service definition */
export function messagingService(): ServiceClientConstructor {
  if (!loaded) {
    const definition = loadSync(SERVICE_PROTO, { ...LOADER_OPTIONS, includeDirs: [protoRoot()] });
    const grpcObject = loadPackageDefinition(definition);
    const v2 = ((grpcObject.apache as GrpcObject).rocketmq as GrpcObject).v2 as GrpcObject;
    loaded = v2.MessagingService as ServiceClientConstructor;
  }
  return loaded;
}

export function messagingServiceDefinition(): ServiceDefinition {
  return messagingService().service;
}

// ---- message shapes (definition.proto, service.proto) ----

export interface Duration {
  seconds?: number;
  nanos?: number;
}

export interface Timestamp {
  seconds?: number;
  nanos?: number;
}

export interface Resource {
  resourceNamespace?: string;
  name?: string;
}

export interface Status {
  code: string;
  message: string;
}

export interface Address {
  host: string;
  port: number;
}

export interface Endpoints {
  scheme?: string;
  addresses: Address[];
}

export interface Broker {
  name: string;
  id: number;
  endpoints: Endpoints;
}

export interface MessageQueue {
  topic?: Resource;
  id?: number;
  permission?: string;
  broker?: Broker;
  acceptMessageTypes?: string[];
}

export interface FilterExpression {
  type?: string;
  expression?: string;
}

export interface Digest {
  type: string;
  checksum: string;
}

export interface DeadLetterQueue {
  topic: string;
  messageId: string;
}

export interface SystemProperties {
  tag?: string;
  keys?: string[];
  messageId?: string;
  bodyDigest?: Digest;
  bodyEncoding?: string;
  messageType?: string;
  bornTimestamp?: Timestamp;
  bornHost?: string;
  storeTimestamp?: Timestamp;
  storeHost?: string;
  deliveryTimestamp?: Timestamp;
  receiptHandle?: string;
  queueId?: number;
  queueOffset?: number;
  invisibleDuration?: Duration;
  deliveryAttempt?: number;
  messageGroup?: string;
  traceContext?: string;
  orphanedTransactionRecoveryDuration?: Duration;
  deadLetterQueue?: DeadLetterQueue;
  liteTopic?: string;
  priority?: number;
}

export interface GrpcMessage {
  topic?: Resource;
  userProperties?: Record<string, string>;
  systemProperties?: SystemProperties;
  body?: Buffer;
}

export interface RetryPolicy {
  maxAttempts: number;
  exponentialBackoff?: { initial: Duration; max: Duration; multiplier: number };
  customizedBackoff?: { next: Duration[] };
}

export interface SubscriptionEntry {
  topic?: Resource;
  expression?: FilterExpression;
}

export interface Publishing {
  topics?: Resource[];
  maxBodySize?: number;
  validateMessageType?: boolean;
}

export interface Subscription {
  group?: Resource;
  subscriptions?: SubscriptionEntry[];
  fifo?: boolean;
  receiveBatchSize?: number;
  longPollingTimeout?: Duration;
}

export interface Settings {
  clientType?: string;
  accessPoint?: Endpoints;
  backoffPolicy?: RetryPolicy;
  requestTimeout?: Duration;
  publishing?: Publishing;
  subscription?: Subscription;
  userAgent?: { language?: string; version?: string; platform?: string; hostname?: string };
  metric?: { on: boolean };
  pubSub?: 'publishing' | 'subscription';
}

export interface TelemetryCommand {
  status?: Status;
  settings?: Settings;
  recoverOrphanedTransactionCommand?: { message: GrpcMessage; transactionId: string };
  verifyMessageResult?: { nonce: string };
  threadStackTrace?: { nonce: string; threadStackTrace?: string };
  command?: string;
}

export interface QueryRouteRequest {
  topic?: Resource;
  endpoints?: Endpoints;
}

export interface SendMessageRequest {
  messages: GrpcMessage[];
}

export interface SendResultEntry {
  status: Status;
  messageId: string;
  transactionId: string;
  offset: number;
}

export interface QueryAssignmentRequest {
  topic?: Resource;
  group?: Resource;
  endpoints?: Endpoints;
}

export interface ReceiveMessageRequest {
  group?: Resource;
  messageQueue?: MessageQueue;
  filterExpression?: FilterExpression;
  batchSize?: number;
  invisibleDuration?: Duration;
  autoRenew?: boolean;
  longPollingTimeout?: Duration;
  attemptId?: string;
}

export interface ReceiveMessageResponse {
  status?: Status;
  message?: GrpcMessage;
  deliveryTimestamp?: Timestamp;
}

export interface AckMessageEntry {
  messageId?: string;
  receiptHandle?: string;
}

export interface AckMessageRequest {
  group?: Resource;
  topic?: Resource;
  entries: AckMessageEntry[];
}

export interface ForwardMessageToDeadLetterQueueRequest {
  group?: Resource;
  topic?: Resource;
  receiptHandle?: string;
  messageId?: string;
  deliveryAttempt?: number;
  maxDeliveryAttempts?: number;
}

export interface HeartbeatRequest {
  group?: Resource;
  clientType?: string;
}

export interface EndTransactionRequest {
  topic?: Resource;
  messageId?: string;
  transactionId?: string;
  resolution?: string;
  source?: string;
}

export interface NotifyClientTerminationRequest {
  group?: Resource;
}

export interface ChangeInvisibleDurationRequest {
  group?: Resource;
  topic?: Resource;
  receiptHandle?: string;
  invisibleDuration?: Duration;
  messageId?: string;
}

export interface PullMessageRequest {
  group?: Resource;
  messageQueue?: MessageQueue;
  offset?: number;
  batchSize?: number;
  filterExpression?: FilterExpression;
  longPollingTimeout?: Duration;
}

export interface PullMessageResponse {
  status?: Status;
  message?: GrpcMessage;
  nextOffset?: number;
}

export interface UpdateOffsetRequest {
  group?: Resource;
  messageQueue?: MessageQueue;
  offset?: number;
}

export interface GetOffsetRequest {
  group?: Resource;
  messageQueue?: MessageQueue;
}

export interface QueryOffsetRequest {
  messageQueue?: MessageQueue;
  /** BEGINNING, END or TIMESTAMP */
  queryOffsetPolicy?: string;
  timestamp?: Timestamp;
}

// ---- conversions ----

export function durationMs(d: Duration | undefined): number | undefined {
  if (!d) return undefined;
  return (d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

export function toDuration(ms: number): Duration {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

export function timestampMs(t: Timestamp | undefined): number | undefined {
  if (!t) return undefined;
  return (t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

export function toTimestamp(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1e6 };
}
