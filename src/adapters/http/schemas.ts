/**
 * JSON Schemas (2020-12, the dialect of OpenAPI 3.1) of every request and response of the
 * HTTP API. Requests are validated against them with ajv (validate.ts) and the OpenAPI
 * document (openapi.ts) publishes the very same objects under components.schemas, so the
 * document cannot drift from what the server enforces.
 *
 * Schemas are written inline (no $ref between them) so each compiles alone; the TypeScript
 * interfaces next to them are the validated shapes the handlers receive. They live by API
 * area under schemas/; this module is the one place the rest of the adapter imports them from.
 */
export * from './schemas/common.js';
export * from './schemas/messaging.js';
export * from './schemas/admin.js';
export * from './schemas/live.js';
import type { JsonSchema } from './schemas/common.js';
import { ErrorResponse, MessageView, MessageList } from './schemas/common.js';
import {
  AckRequest, BatchResult, HandleResults, NackRequest, PublishBody, PublishRequest, PublishResult, ReceiveRequest, ReceiveResponse,
  VisibilityRequest, WebhookCreated, WebhookCreateRequest, WebhookList, WebhookView,
} from './schemas/messaging.js';
import {
  ConnectionsResponse, CreateTopicRequest, DeadLetterList, GroupInfo, GroupList, HealthResponse, InfoResponse, QueueLagList, RedriveRequest,
  RedriveResponse, ResetOffsetRequest, TopicInfo, TopicList, TopicStats,
} from './schemas/admin.js';
import { LIVE_SCHEMAS } from './schemas/live.js';

/** Names under which the schemas appear in the OpenAPI document's components. */
export const COMPONENT_SCHEMAS: Record<string, JsonSchema> = {
  ErrorResponse, PublishRequest, PublishBody, PublishResult, BatchResult, MessageView, MessageList,
  ReceiveRequest, ReceiveResponse, AckRequest, NackRequest, VisibilityRequest, HandleResults,
  WebhookCreateRequest, WebhookView, WebhookCreated, WebhookList,
  CreateTopicRequest, TopicInfo, TopicStats, TopicList, GroupInfo, GroupList, QueueLagList, ResetOffsetRequest,
  DeadLetterList, RedriveRequest, RedriveResponse, ConnectionsResponse, HealthResponse, InfoResponse,
  ...LIVE_SCHEMAS,
};
