/**
 * PUBLISH from the client (§3.3): topic alias → validate → authorize → store in the
 * kernel → acknowledge. PUBACK / PUBREC leave only after the kernel stored the
 * message (DESIGN.md §5), in the order the PUBLISH packets arrived. A QoS 2 PUBLISH
 * is stored once; its packet identifier is remembered until PUBREL, so a DUP
 * retransmission only repeats PUBREC [MQTT-4.3.3-2], also after a server crash for a
 * persistent session (the id and the message's uniqueId are journaled in the kernel
 * before the store; a retransmission after a restart is looked up by that uniqueId).
 */
import type { IPublishPacket } from 'mqtt-packet';
import type { Connection } from '../connection.js';
import { MqttProtocolError, PublishRefused, publishReasonFor } from '../errors.js';
import { mayPublish } from '../hooks.js';
import { ReasonCode } from '../reason-codes.js';
import { topicNameProblem } from '../topic-filter.js';
import { kernelAddressOf } from '../topic-map.js';
import { nextUniqueId } from '../unique-id.js';
import { qos2CrashPoint } from '../crash-points.js';

export function handlePublish(conn: Connection, packet: IPublishPacket): void {
  const gw = conn.gateway;
  const session = conn.session!;
  resolveTopicAlias(conn, packet);
  const problem = topicNameProblem(packet.topic);
  if (problem) throw new MqttProtocolError(ReasonCode.TopicNameInvalid, problem); // [MQTT-3.3.2-2] [MQTT-4.7.3-1]
  if (packet.properties?.subscriptionIdentifier !== undefined) {
    throw new MqttProtocolError(ReasonCode.ProtocolError, 'a PUBLISH from a client must not carry a Subscription Identifier'); // [MQTT-3.3.4-6]
  }
  const responseTopic = packet.properties?.responseTopic;
  if (responseTopic !== undefined && topicNameProblem(responseTopic)) {
    throw new MqttProtocolError(ReasonCode.ProtocolError, 'Response Topic must be a topic name without wildcards'); // [MQTT-3.3.2-14]
  }
  if (packet.qos > 0) checkReceiveMaximum(conn, packet);
  gw.stats.messagesIn++;
  conn.messagesIn++;

  // QoS 2 retransmission of a PUBLISH not yet released: acknowledge again, store nothing
  // (after a restart, unless the server died between journaling it and storing it)
  if (packet.qos === 2) {
    const earlier = session.awaitingRelease.get(packet.messageId!);
    if (earlier) {
      const settled = session.unconfirmedReceived.has(packet.messageId!) ? storeUnlessStored(conn, packet) : earlier;
      conn.inbound.track(settled, (r) => answer(conn, packet, r.ok ? undefined : r.error));
      return;
    }
  }

  let stored: Promise<unknown>;
  if (packet.qos === 2) {
    const id = packet.messageId!;
    const remembered = (session.persistent ? storeJournaled(conn, packet) : store(conn, packet)).then(() => undefined);
    remembered.catch(() => {
      if (session.awaitingRelease.get(id) !== remembered) return;
      session.awaitingRelease.delete(id);
      session.journaledReceived.delete(id); // the next journal write drops it; until then a restart only looks it up
    });
    session.awaitingRelease.set(id, remembered);
    stored = remembered;
  } else {
    stored = afterJournalWrites(conn, packet);
  }
  if (packet.qos === 0) {
    conn.inbound.trackUnanswered(stored, (error) => answer(conn, packet, error));
    return;
  }
  if (packet.qos === 1) conn.unackedQoS1++;
  conn.inbound.track(stored, (r) => {
    if (packet.qos === 1) conn.unackedQoS1--;
    answer(conn, packet, r.ok ? undefined : r.error);
  });
}

/** resolves once the kernel stored the message; rejects with KernelError / PublishRefused */
function store(conn: Connection, packet: IPublishPacket, uniqueId?: string): Promise<unknown> {
  const gw = conn.gateway;
  if (!mayPublish(gw.auth, conn.principal, packet.topic)) {
    // v5 answers 0x87 on PUBACK/PUBREC; v3.1.1 must ack or close, and closes [MQTT-3.3.5-2]
    return Promise.reject(new PublishRefused(ReasonCode.NotAuthorized, `not authorized to publish on ${packet.topic}`));
  }
  return gw.publisher.publish({ clientId: conn.clientId, topic: packet.topic, payload: packet.payload, qos: packet.qos, retain: packet.retain, properties: packet.properties, uniqueId });
}

/**
 * QoS 2 of a persistent session: the packet id and the uniqueId the message will have
 * are journaled BEFORE the store (qos2-journal.ts), so a crash anywhere before PUBREC
 * leaves an entry by which a retransmission is looked up instead of stored again.
 */
function storeJournaled(conn: Connection, packet: IPublishPacket): Promise<unknown> {
  const session = conn.session!;
  if (!mayPublish(conn.gateway.auth, conn.principal, packet.topic)) return store(conn, packet);
  const uniqueId = nextUniqueId();
  const earlier = session.journalGate;
  const journaled = conn.gateway.sessions.receiving(session, packet.messageId!, uniqueId);
  // the client's later PUBLISH packets are sent after this one (the gate opens once its send is issued)
  let open!: () => void;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  session.journalGate = gate;
  void gate.then(() => {
    if (session.journalGate === gate) session.journalGate = undefined;
  });
  return journaled
    .then(() => earlier)
    .then(() => qos2CrashPoint('journaled', undefined))
    .then(() => {
      const sent = store(conn, packet, uniqueId);
      open();
      return sent;
    })
    .then((result) => qos2CrashPoint('stored', result));
}

/** stores once the journal writes of earlier QoS 2 PUBLISH packets are done, so the client's messages stay in order */
function afterJournalWrites(conn: Connection, packet: IPublishPacket): Promise<unknown> {
  const gate = conn.session!.journalGate;
  if (!gate) return store(conn, packet); // the common case: no closure per message
  const send = (): Promise<unknown> => store(conn, packet);
  return gate.then(send, send);
}

/**
 * The first retransmission, after a restart, of a QoS 2 PUBLISH journaled before the
 * restart: the server may have died before storing it. Look its uniqueId up in the
 * kernel; store it (with that id) only when it is not there.
 */
function storeUnlessStored(conn: Connection, packet: IPublishPacket): Promise<void> {
  const session = conn.session!;
  const id = packet.messageId!;
  const uniqueId = session.journaledReceived.get(id)!;
  session.unconfirmedReceived.delete(id);
  const settled = Promise.resolve()
    .then(() => conn.gateway.kernel.admin.queryMessagesByKey({ topic: kernelAddressOf(packet.topic).topic, key: uniqueId, max: 1 }))
    .then((found) => (found.some((m) => m.uniqueId === uniqueId || m.msgId === uniqueId) ? undefined : store(conn, packet, uniqueId)))
    .then(() => undefined);
  settled.catch(() => {
    // in doubt still: the next retransmission looks it up again
    if (session.awaitingRelease.get(id) !== settled) return;
    session.awaitingRelease.set(id, Promise.resolve());
    session.unconfirmedReceived.add(id);
  });
  session.awaitingRelease.set(id, settled);
  return settled;
}

/** the acknowledgement of one PUBLISH, written in arrival order by the inbound pipeline */
function answer(conn: Connection, packet: IPublishPacket, error: unknown): void {
  if (conn.state === 'closed') return;
  const gw = conn.gateway;
  if (error !== undefined) {
    const { reasonCode, reason } = publishReasonFor(error);
    if (reasonCode === ReasonCode.NotAuthorized) gw.stats.publishDenied++;
    else gw.stats.publishFailed++;
    gw.logger.debug({ clientId: conn.clientId, topic: packet.topic, reasonCode, reason }, 'mqtt PUBLISH refused');
    if (conn.version !== 5) {
      conn.destroy(); // [MQTT-3.3.5-2]: v3.1.1 has no way to say no
      return;
    }
    if (packet.qos === 0) return;
    conn.write({ cmd: packet.qos === 1 ? 'puback' : 'pubrec', messageId: packet.messageId, reasonCode, properties: conn.problem(reason) });
    return;
  }
  if (packet.qos === 1) conn.write({ cmd: 'puback', messageId: packet.messageId }); // [MQTT-4.3.2-2]
  else if (packet.qos === 2) conn.write({ cmd: 'pubrec', messageId: packet.messageId }); // [MQTT-4.3.3-2]
}

/** [MQTT-3.3.2-12]: aliases 1..Topic Alias Maximum set or replace a mapping; an empty topic uses it */
function resolveTopicAlias(conn: Connection, packet: IPublishPacket): void {
  const alias = packet.properties?.topicAlias;
  if (alias === undefined) return;
  if (conn.version !== 5) return;
  if (alias === 0 || alias > conn.gateway.limits.topicAliasMaximum) {
    throw new MqttProtocolError(ReasonCode.TopicAliasInvalid, `topic alias ${alias} is outside 1..${conn.gateway.limits.topicAliasMaximum}`); // [MQTT-3.3.2-8]
  }
  if (packet.topic.length > 0) {
    conn.topicAliases.set(alias, packet.topic);
  } else {
    const topic = conn.topicAliases.get(alias);
    if (topic === undefined) throw new MqttProtocolError(ReasonCode.ProtocolError, `topic alias ${alias} has no topic yet`);
    packet.topic = topic;
  }
  // the alias belongs to this connection; it is never forwarded [MQTT-3.3.2-7]
  delete packet.properties!.topicAlias;
}

/**
 * v5: more unacknowledged QoS 1/2 PUBLISH than our Receive Maximum is a protocol
 * error [MQTT-3.3.4-7] (0x93). v3.1.1 has no window: only bound the QoS 2 exchanges
 * a client leaves without PUBREL, so they cannot grow without limit.
 */
function checkReceiveMaximum(conn: Connection, packet: IPublishPacket): void {
  const session = conn.session!;
  const limits = conn.gateway.limits;
  if (conn.version === 5) {
    const unacknowledged = conn.unackedQoS1 + session.awaitingRelease.size;
    if (unacknowledged >= limits.maxInflight && !(packet.qos === 2 && session.awaitingRelease.has(packet.messageId!))) {
      throw new MqttProtocolError(ReasonCode.ReceiveMaximumExceeded, `more than ${limits.maxInflight} unacknowledged QoS 1/2 PUBLISH packets`);
    }
  } else if (packet.qos === 2 && session.awaitingRelease.size >= limits.maxAwaitingRel && !session.awaitingRelease.has(packet.messageId!)) {
    throw new MqttProtocolError(ReasonCode.ReceiveMaximumExceeded, `more than ${limits.maxAwaitingRel} QoS 2 PUBLISH packets awaiting PUBREL`);
  }
}
