/**
 * Schemas of the admin API's live views of the process: individual client connections,
 * MQTT retained messages and the recent message rates per protocol.
 */
import type { JsonSchema } from './common.js';

// --- connections -------------------------------------------------------------------------

export const ConnectionId = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$', description: 'e.g. mqtt-3, stomp-12' } as const;

const ConnectionSubscription = {
  type: 'object',
  required: ['destination'],
  properties: {
    destination: { type: 'string', description: 'MQTT topic filter or STOMP destination' },
    id: { type: 'string', description: 'STOMP subscription id' },
    qos: { type: 'integer', minimum: 0, maximum: 2 },
    ackMode: { type: 'string' },
    prefetch: { type: 'integer' },
    group: { type: 'string', description: 'the kernel consumer group that feeds it' },
    inFlight: { type: 'integer' },
  },
} as const;

export const ConnectionInfo = {
  type: 'object',
  required: ['id', 'protocol', 'protocolVersion', 'transport', 'clientId', 'remoteAddress', 'user', 'connectedAt', 'subscriptions', 'messagesIn', 'messagesOut', 'inFlight'],
  properties: {
    id: ConnectionId,
    protocol: { type: 'string' },
    protocolVersion: { type: 'string' },
    transport: { type: 'string', description: 'tcp, ws or sse' },
    clientId: { type: 'string' },
    remoteAddress: { type: 'string' },
    user: { type: ['string', 'null'] },
    connectedAt: { type: 'integer', description: 'epoch ms' },
    keepAliveSeconds: { type: 'number' },
    persistentSession: { type: 'boolean' },
    subscriptions: { type: 'array', items: ConnectionSubscription },
    messagesIn: { type: 'integer' },
    messagesOut: { type: 'integer' },
    inFlight: { type: 'integer' },
  },
} as const;

export const ConnectionList = { type: 'object', required: ['connections'], properties: { connections: { type: 'array', items: ConnectionInfo } } } as const;

export const ConnectionListQuery = {
  type: 'object', additionalProperties: false, properties: { protocol: { type: 'string', minLength: 1, maxLength: 32, description: 'only this protocol (mqtt, stomp, http)' } },
} as const;
export interface ConnectionListQuery { protocol?: string }

// --- MQTT retained messages ----------------------------------------------------------

export const RetainedFilterQuery = {
  type: 'object', additionalProperties: false,
  properties: { filter: { type: 'string', minLength: 1, maxLength: 65535, default: '#', description: 'MQTT topic filter; a topic name selects that topic only' } },
} as const;
export interface RetainedFilterQuery { filter: string }

export const RetainedClearQuery = {
  type: 'object', additionalProperties: false, required: ['filter'],
  properties: { filter: { type: 'string', minLength: 1, maxLength: 65535, description: 'MQTT topic filter (`#` = all); a topic name clears that topic only' } },
} as const;

export const RetainedMessage = {
  type: 'object',
  required: ['topic', 'body', 'encoding', 'bodySize', 'properties'],
  properties: {
    topic: { type: 'string', description: 'MQTT topic' },
    body: { type: 'string' },
    encoding: { type: 'string', enum: ['utf8', 'base64'] },
    bodySize: { type: 'integer' },
    contentType: { type: 'string' },
    properties: { type: 'object', additionalProperties: { type: 'string' } },
    expireAt: { type: 'integer', description: 'epoch ms' },
  },
} as const;

export const RetainedList = { type: 'object', required: ['messages'], properties: { messages: { type: 'array', items: RetainedMessage } } } as const;
export const RetainedCleared = { type: 'object', required: ['cleared'], properties: { cleared: { type: 'integer', minimum: 0 } } } as const;

// --- rate history --------------------------------------------------------------------

const PerProtocol = { type: 'object', additionalProperties: { type: 'number' } } as const;

export const RateHistory = {
  type: 'object',
  required: ['intervalMs', 'windowMs', 'samples'],
  properties: {
    intervalMs: { type: 'integer' },
    windowMs: { type: 'integer' },
    samples: {
      type: 'array',
      description: 'oldest first; rates in messages per second over the interval ending at `at`',
      items: {
        type: 'object',
        required: ['at', 'in', 'out', 'connections'],
        properties: { at: { type: 'integer', description: 'epoch ms' }, in: PerProtocol, out: PerProtocol, connections: PerProtocol },
      },
    },
  },
} as const;

// --- cluster -------------------------------------------------------------------------

export const ClusterView = {
  type: 'object',
  required: ['mode', 'nodeId'],
  properties: {
    mode: { type: 'string', enum: ['embedded', 'gateway'], description: 'embedded: one process holds the store; gateway: a node in front of a cluster' },
    nodeId: { type: 'string' },
    cluster: {
      type: 'object',
      required: ['clusterName', 'nameservers', 'brokers', 'checkedAt'],
      properties: {
        clusterName: { type: 'string' },
        checkedAt: { type: 'integer' },
        nameservers: {
          type: 'array',
          items: { type: 'object', required: ['address', 'alive'], properties: { address: { type: 'string' }, alive: { type: 'boolean' }, error: { type: 'string' } } },
        },
        brokers: {
          type: 'array',
          items: {
            type: 'object',
            required: ['cluster', 'brokerName', 'brokerId', 'role', 'address', 'alive'],
            properties: {
              cluster: { type: 'string' },
              brokerName: { type: 'string' },
              brokerId: { type: 'integer' },
              role: { type: 'string', enum: ['master', 'slave'] },
              address: { type: 'string' },
              alive: { type: 'boolean' },
              commitLogMaxOffset: { type: 'integer' },
              replicationLagBytes: { type: 'integer', description: "slaves: the master's commit log max offset minus this broker's" },
              error: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;

export const LIVE_SCHEMAS: Record<string, JsonSchema> = { ConnectionInfo, ConnectionList, RetainedMessage, RetainedList, RetainedCleared, RateHistory, ClusterView };
