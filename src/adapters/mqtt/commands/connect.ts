/**
 * CONNECT → CONNACK (v3.1.1 §3.1-3.2, v5 §3.1-3.2), as a top-down sequence:
 * check → authenticate → check the will → take over → open the session → arm the
 * will → CONNACK → attach. A refusal sends CONNACK with its code and closes
 * [MQTT-3.2.2-5] (v5 [MQTT-3.2.2-7]); nothing after a refused CONNECT is processed
 * [MQTT-3.1.4-5].
 */
import { randomUUID } from 'node:crypto';
import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import type { Connection } from '../connection.js';
import { authenticateConnect, mayPublish } from '../hooks.js';
import { connackReturnCodeV3, ReasonCode } from '../reason-codes.js';
import { NEVER_EXPIRES } from '../session.js';
import { kernelAddressOf } from '../topic-map.js';
import { OutboundTopicAliases } from '../topic-alias-out.js';
import { topicNameProblem } from '../topic-filter.js';

class ConnectRefused extends Error {
  constructor(readonly reasonCode: ReasonCode, message: string) {
    super(message);
  }
}

export function handleConnect(conn: Connection, packet: IConnectPacket): void {
  conn.state = 'connecting';
  conn.connectPacket = packet;
  conn.version = packet.protocolVersion ?? 4;
  connect(conn, packet).catch((err: unknown) => {
    if (err instanceof ConnectRefused) refuse(conn, err);
    else conn.fail(err);
  });
}

async function connect(conn: Connection, packet: IConnectPacket): Promise<void> {
  const gw = conn.gateway;
  const v5 = conn.version === 5;
  const props = packet.properties ?? {};
  conn.requestProblemInformation = props.requestProblemInformation !== false;
  checkProperties(conn, packet);

  let clientId = packet.clientId;
  let assigned = false;
  if (clientId.length === 0) {
    // [MQTT-3.1.3-8] v3.1.1: a zero-byte ClientId needs CleanSession 1
    if (!v5 && !packet.clean) throw new ConnectRefused(ReasonCode.ClientIdentifierNotValid, 'empty client id with a persistent session');
    clientId = `auto-${randomUUID()}`; // [MQTT-3.1.3-6]
    assigned = true;
  }

  const auth = authenticateConnect(gw.auth, packet.username, packet.password);
  if (!auth.ok) throw new ConnectRefused(auth.reasonCode, auth.reason);
  conn.principal = auth.principal;
  checkWill(conn, packet);

  conn.clientId = clientId;
  conn.receiveMaximum = props.receiveMaximum ?? 65_535;
  conn.clientMaxPacketSize = props.maximumPacketSize;
  if (v5 && props.topicAliasMaximum) conn.outboundAliases = new OutboundTopicAliases(props.topicAliasMaximum);

  await gw.exclusive(clientId, async () => {
    await gw.takeOver(conn); // [MQTT-3.1.4-2] (v5 [MQTT-3.1.4-3])
    if (conn.isClosed()) return;
    const requestedExpiry = v5 ? (props.sessionExpiryInterval ?? 0) : packet.clean ? 0 : NEVER_EXPIRES;
    const epoch = await gw.claim(clientId); // a connection on another node is closed, its session handed over
    if (conn.isClosed()) return;
    const { session, present } = await gw.sessions.connect({ clientId, cleanStart: packet.clean !== false, expiryInterval: requestedExpiry, epoch });
    if (conn.isClosed()) {
      await gw.sessions.disconnected(session);
      return;
    }
    await gw.wills.arm(conn, packet.will, session.expiryInterval);
    const connack: IConnackPacket = { cmd: 'connack', sessionPresent: present }; // [MQTT-3.2.2-2] [MQTT-3.2.2-3]
    if (v5) {
      connack.reasonCode = ReasonCode.Success;
      connack.properties = {
        receiveMaximum: gw.limits.maxInflight,
        maximumPacketSize: gw.limits.maxPacketSize,
        topicAliasMaximum: gw.limits.topicAliasMaximum,
        ...(assigned ? { assignedClientIdentifier: clientId } : {}), // [MQTT-3.1.3-7]
      };
    } else {
      connack.returnCode = 0; // [MQTT-3.1.4-4]
    }
    conn.write(connack);
    conn.accepted(packet.keepalive ?? 0);
    gw.attach(conn, session);
  });
}

function checkProperties(conn: Connection, packet: IConnectPacket): void {
  if (conn.version !== 5) return;
  const props = packet.properties ?? {};
  if (props.receiveMaximum === 0) throw new ConnectRefused(ReasonCode.ProtocolError, 'Receive Maximum of 0');
  if (props.maximumPacketSize === 0) throw new ConnectRefused(ReasonCode.ProtocolError, 'Maximum Packet Size of 0');
  // enhanced authentication (AUTH exchange) is not offered
  if (props.authenticationMethod !== undefined) throw new ConnectRefused(ReasonCode.BadAuthenticationMethod, `authentication method ${props.authenticationMethod} is not supported`);
  if (props.authenticationData !== undefined) throw new ConnectRefused(ReasonCode.ProtocolError, 'Authentication Data without Authentication Method');
}

function checkWill(conn: Connection, packet: IConnectPacket): void {
  const will = packet.will;
  if (!will) return;
  const problem = topicNameProblem(will.topic); // [MQTT-3.1.3-11] a valid topic name
  if (problem) throw new ConnectRefused(ReasonCode.TopicNameInvalid, `will topic: ${problem}`);
  try {
    kernelAddressOf(will.topic);
  } catch (err) {
    throw new ConnectRefused(ReasonCode.TopicNameInvalid, `will topic: ${(err as Error).message}`);
  }
  if (!mayPublish(conn.gateway.auth, conn.principal, will.topic)) {
    throw new ConnectRefused(ReasonCode.NotAuthorized, `not authorized to publish the will on ${will.topic}`);
  }
}

/** CONNACK with a failure code, then close [MQTT-3.2.2-5] (v5 [MQTT-3.2.2-7]); session present 0 [MQTT-3.2.2-4] (v5 [MQTT-3.2.2-6]) */
function refuse(conn: Connection, err: ConnectRefused): void {
  conn.gateway.stats.connectRefused++;
  conn.gateway.logger.debug({ clientId: conn.connectPacket?.clientId, remote: conn.remoteAddress, reasonCode: err.reasonCode, reason: err.message }, 'mqtt CONNECT refused');
  if (conn.state === 'closed') return;
  if (conn.version === 5) {
    const connack: IConnackPacket = { cmd: 'connack', sessionPresent: false, reasonCode: err.reasonCode };
    if (conn.requestProblemInformation) connack.properties = { reasonString: err.message.slice(0, 256) };
    conn.write(connack);
  } else if (err.reasonCode !== ReasonCode.ProtocolError) {
    conn.write({ cmd: 'connack', sessionPresent: false, returnCode: connackReturnCodeV3(err.reasonCode) });
  }
  conn.end();
}
