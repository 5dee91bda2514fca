/**
 * Authentication and per-topic ACLs for MQTT, on the shared Authenticator
 * (adapters/common/auth.ts) so a user has the same rights on every protocol.
 * The ACL sees the kernel topic and the full MQTT topic (or filter) as the path.
 */
import type { Authenticator, Principal } from '../common/auth.js';
import { ReasonCode } from './reason-codes.js';
import { kernelTopicOf } from './topic-map.js';

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reasonCode: ReasonCode; reason: string };

/** CONNECT credentials → principal; a password without a user name is refused (v3.1.1 [MQTT-3.1.2-22]) */
export function authenticateConnect(auth: Authenticator, username: string | undefined, password: Buffer | string | undefined): AuthResult {
  const pass = password === undefined ? undefined : typeof password === 'string' ? password : password.toString('utf8');
  if (username === undefined && pass !== undefined) {
    return { ok: false, reasonCode: ReasonCode.BadUserNameOrPassword, reason: 'password without user name' };
  }
  if (username === undefined && auth.required) {
    return { ok: false, reasonCode: ReasonCode.NotAuthorized, reason: 'anonymous clients are not accepted' };
  }
  const principal = auth.authenticate(username, pass);
  if (!principal) return { ok: false, reasonCode: ReasonCode.BadUserNameOrPassword, reason: 'bad user name or password' };
  return { ok: true, principal };
}

function firstLevel(topicOrFilter: string): string {
  const slash = topicOrFilter.indexOf('/');
  return slash === -1 ? topicOrFilter : topicOrFilter.slice(0, slash);
}

export function mayPublish(auth: Authenticator, principal: Principal | undefined, mqttTopic: string): boolean {
  return auth.authorize(principal, 'publish', kernelTopicOf(firstLevel(mqttTopic)), mqttTopic);
}

/** for a filter the topic is its first level, which may be the wildcard itself; the path is the filter */
export function maySubscribe(auth: Authenticator, principal: Principal | undefined, filter: string): boolean {
  return auth.authorize(principal, 'subscribe', kernelTopicOf(firstLevel(filter)), filter);
}
