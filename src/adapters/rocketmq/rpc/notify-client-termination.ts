/**
 * NotifyClientTermination: the client is shutting down. Its session is forgotten, it
 * leaves its kernel group, and messages it held under auto-renew become visible again.
 */
import { OK } from '../errors.js';
import type { NotifyClientTerminationRequest, Status } from '../proto.js';
import type { UnaryHandler } from './context.js';

export interface NotifyClientTerminationResponse {
  status: Status;
}

export const notifyClientTermination: UnaryHandler<NotifyClientTerminationRequest, NotifyClientTerminationResponse> = async (_req, ctx, deps) => {
  const session = deps.clients.remove(ctx.clientId);
  if (session) await deps.forgetClient(session);
  return { status: OK };
};
