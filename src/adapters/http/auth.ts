/**
 * HTTP credentials → Principal through the shared Authenticator (common/auth.ts), so a user
 * has the same rights over HTTP as over MQTT and STOMP.
 *   Authorization: Bearer <token>        → authenticateToken
 *   Authorization: Basic <user:password> → authenticate (convenience for tools like curl -u)
 * Admin routes need `admin` (reads also allow `readOnly`); topic routes ask the ACL per topic.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Authenticator, Principal, TopicAction } from '../common/auth.js';
import { KernelErrorCode } from '../../kernel/index.js';
import { HttpError, HttpErrorCode } from './errors.js';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="rocketgate"' };

function unauthorized(message: string): HttpError {
  return new HttpError(HttpErrorCode.Unauthorized, message, undefined, CHALLENGE);
}

/** The request's principal; undefined for an anonymous request the authenticator lets through. */
export function authenticateRequest(auth: Authenticator, headers: IncomingHttpHeaders): Principal | undefined {
  const header = headers.authorization;
  if (!header) {
    const anonymous = auth.authenticateToken(undefined);
    if (!anonymous && auth.required) throw unauthorized('credentials required');
    return anonymous;
  }
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  let principal: Principal | undefined;
  if (scheme === 'bearer') {
    principal = auth.authenticateToken(value);
  } else if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    principal = colon < 0 ? undefined : auth.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
  } else {
    throw unauthorized(`unsupported authorization scheme "${scheme}"`);
  }
  if (!principal) throw unauthorized('invalid credentials');
  return principal;
}

export function authorizeTopic(auth: Authenticator, principal: Principal | undefined, action: TopicAction, topic: string, path?: string): void {
  if (auth.authorize(principal, action, topic, path)) return;
  if (!principal && auth.required) throw unauthorized('credentials required');
  throw new HttpError(KernelErrorCode.Forbidden, `not allowed to ${action} on topic "${topic}"`, { action, topic });
}

export function authorizeAdmin(principal: Principal | undefined, write: boolean): void {
  if (!principal) throw unauthorized('admin credentials required');
  const allowed = write ? principal.admin && !principal.readOnly : principal.admin || principal.readOnly;
  if (!allowed) throw new HttpError(KernelErrorCode.Forbidden, write ? 'admin rights required' : 'admin or read-only rights required');
}
