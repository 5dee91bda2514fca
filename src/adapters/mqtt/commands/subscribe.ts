/**
 * SUBSCRIBE → SUBACK (§3.8-3.9): per filter validate → authorize → grant; the
 * accepted subscriptions are registered (and persisted for a persistent session)
 * before SUBACK, so a message published after SUBACK reaches them; then the matching
 * retained messages follow with RETAIN set [MQTT-3.3.1-6] [MQTT-3.3.1-8].
 */
import type { ISubackPacket, ISubscribePacket, QoS } from 'mqtt-packet';
import type { Connection } from '../connection.js';
import { MqttProtocolError } from '../errors.js';
import { maySubscribe } from '../hooks.js';
import { messageToOutbound } from '../message-map.js';
import { ReasonCode, SUBACK_FAILURE_V3 } from '../reason-codes.js';
import type { Session, Subscription } from '../session.js';
import { isSharedFilter, parseSharedFilter } from '../shared-subs.js';
import { topicFilterProblem } from '../topic-filter.js';

export function handleSubscribe(conn: Connection, packet: ISubscribePacket): void {
  const gw = conn.gateway;
  const session = conn.session!;
  const v5 = conn.version === 5;
  const subscriptionId = v5 ? packet.properties?.subscriptionIdentifier : undefined;
  if (subscriptionId === 0) throw new MqttProtocolError(ReasonCode.ProtocolError, 'Subscription Identifier 0');
  const failure = (v5code: ReasonCode): number => (v5 ? v5code : SUBACK_FAILURE_V3);
  const now = Date.now();
  const granted: number[] = [];
  const accepted: Array<{ sub: Subscription; isNew: boolean }> = [];

  for (const requested of packet.subscriptions) {
    const problem = topicFilterProblem(requested.topic);
    if (problem) {
      granted.push(failure(ReasonCode.TopicFilterInvalid));
      continue;
    }
    const sub: Subscription = {
      filter: requested.topic,
      qos: requested.qos,
      nl: v5 && requested.nl === true,
      rap: v5 && requested.rap === true,
      rh: v5 ? (requested.rh ?? 0) : 0,
      subscribedAt: now,
    };
    if (subscriptionId !== undefined) sub.subscriptionId = subscriptionId;
    if (isSharedFilter(requested.topic)) {
      const shared = parseSharedFilter(requested.topic);
      if ('problem' in shared) {
        granted.push(failure(ReasonCode.TopicFilterInvalid));
        continue;
      }
      // [MQTT-3.8.3-4] No Local on a shared subscription is a protocol error
      if (sub.nl) throw new MqttProtocolError(ReasonCode.ProtocolError, 'No Local on a shared subscription');
      sub.shared = shared;
    }
    const aclFilter = sub.shared ? sub.shared.filter : sub.filter;
    if (!maySubscribe(gw.auth, conn.principal, aclFilter)) {
      gw.stats.subscribeDenied++;
      granted.push(failure(ReasonCode.NotAuthorized));
      continue;
    }
    granted.push(requested.qos); // we grant what was asked: QoS 0, 1 and 2 are all supported
    accepted.push({ sub, isNew: !session.subscriptions.has(sub.filter) });
  }

  const wantsRetained = accepted.some(({ sub, isNew }) => !sub.shared && sub.rh !== 2 && !(sub.rh === 1 && !isNew));
  const applied = accepted.length > 0 ? Promise.all([gw.subscribe(session, accepted.map((a) => a.sub)), wantsRetained ? gw.retained.sync().catch(() => undefined) : undefined]).then(() => undefined) : Promise.resolve();
  conn.inbound.track(applied, (result) => {
    if (conn.state === 'closed') return;
    if (!result.ok) {
      gw.logger.warn({ clientId: conn.clientId, err: result.error }, 'mqtt SUBSCRIBE could not be stored');
      for (let i = 0; i < granted.length; i++) if (granted[i]! < 0x80) granted[i] = failure(ReasonCode.UnspecifiedError);
    }
    const suback: ISubackPacket = { cmd: 'suback', messageId: packet.messageId, granted }; // [MQTT-3.8.4-1] [MQTT-3.9.3-1]
    conn.write(suback);
    if (result.ok) for (const { sub, isNew } of accepted) sendRetained(conn, session, sub, isNew);
  });
}

/**
 * Retained messages for a new subscription: v3.1.1 always [MQTT-3.3.1-6]; v5 by
 * Retain Handling 0 always [MQTT-3.3.1-9], 1 only when new [MQTT-3.3.1-10], 2 never
 * [MQTT-3.3.1-11]; never for a shared subscription (v5 §4.8.2).
 */
function sendRetained(conn: Connection, session: Session, sub: Subscription, isNew: boolean): void {
  if (sub.shared || sub.rh === 2 || (sub.rh === 1 && !isNew)) return;
  const now = Date.now();
  for (const message of conn.gateway.retained.match(sub.filter)) {
    const out = messageToOutbound(message, now);
    if (!out) continue;
    const qos = Math.min(out.qos, sub.qos) as QoS;
    session.outbound.deliver({ message: out, qos, retain: true, subscriptionIds: sub.subscriptionId !== undefined ? [sub.subscriptionId] : undefined });
  }
}
