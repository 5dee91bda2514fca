/**
 * The MessagingService's RPCs → handlers (one file each), like the STOMP and MQTT command
 * tables. Unary handlers go through `unary` (client id, authentication, status on failure);
 * the streaming ones (ReceiveMessage, Telemetry) do the same themselves. Every RPC of the
 * service that this server does not implement answers gRPC UNIMPLEMENTED with a message
 * naming it, so a client fails fast and clearly.
 */
import {
  status as GrpcStatus, type handleServerStreamingCall, type handleUnaryCall, type ServiceDefinition, type StatusObject, type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { ackMessage } from './ack-message.js';
import { changeInvisibleDuration } from './change-invisible-duration.js';
import { unary, type RpcDeps } from './context.js';
import { endTransaction } from './end-transaction.js';
import { forwardMessageToDeadLetterQueue } from './forward-to-dlq.js';
import { heartbeat } from './heartbeat.js';
import { notifyClientTermination } from './notify-client-termination.js';
import { getOffset, queryOffset, updateOffset } from './offsets.js';
import { pullMessage } from './pull-message.js';
import { queryAssignment } from './query-assignment.js';
import { queryRoute } from './query-route.js';
import { receiveMessage } from './receive-message.js';
import { sendMessage } from './send-message.js';
import { telemetry } from './telemetry.js';

export const IMPLEMENTED_RPCS = [
  'QueryRoute', 'Heartbeat', 'SendMessage', 'QueryAssignment', 'ReceiveMessage', 'AckMessage', 'ForwardMessageToDeadLetterQueue',
  'EndTransaction', 'Telemetry', 'NotifyClientTermination', 'ChangeInvisibleDuration', 'PullMessage', 'UpdateOffset', 'GetOffset', 'QueryOffset',
] as const;

export function unimplementedMessage(rpc: string): string {
  return `${rpc} is not implemented by this server: it serves producers, push, simple and pull consumers; `
    + `message recall and lite topics are not available`;
}

export function messagingHandlers(deps: RpcDeps, service: ServiceDefinition): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {
    QueryRoute: unary(deps, 'QueryRoute', queryRoute),
    Heartbeat: unary(deps, 'Heartbeat', heartbeat),
    SendMessage: unary(deps, 'SendMessage', sendMessage),
    QueryAssignment: unary(deps, 'QueryAssignment', queryAssignment),
    ReceiveMessage: receiveMessage(deps),
    AckMessage: unary(deps, 'AckMessage', ackMessage),
    ForwardMessageToDeadLetterQueue: unary(deps, 'ForwardMessageToDeadLetterQueue', forwardMessageToDeadLetterQueue),
    EndTransaction: unary(deps, 'EndTransaction', endTransaction),
    Telemetry: telemetry(deps),
    NotifyClientTermination: unary(deps, 'NotifyClientTermination', notifyClientTermination),
    ChangeInvisibleDuration: unary(deps, 'ChangeInvisibleDuration', changeInvisibleDuration),
    PullMessage: pullMessage(deps),
    UpdateOffset: unary(deps, 'UpdateOffset', updateOffset),
    GetOffset: unary(deps, 'GetOffset', getOffset),
    QueryOffset: unary(deps, 'QueryOffset', queryOffset),
  };
  for (const [rpc, method] of Object.entries(service)) {
    if (handlers[rpc]) continue;
    const error: Partial<StatusObject> = { code: GrpcStatus.UNIMPLEMENTED, details: unimplementedMessage(rpc) };
    const fail: handleUnaryCall<unknown, unknown> = (_call, callback) => callback(error);
    const failStream: handleServerStreamingCall<unknown, unknown> = (call) => call.emit('error', error);
    handlers[rpc] = method.responseStream ? failStream : fail;
  }
  return handlers;
}
