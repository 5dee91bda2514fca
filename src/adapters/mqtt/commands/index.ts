/**
 * Packet → handler, after the connection-state checks (aedes lib/handlers/index.js):
 * the first packet must be CONNECT [MQTT-3.1.0-1], a second CONNECT is a protocol
 * violation [MQTT-3.1.0-2], and packets only a server sends close the connection.
 * Packets that arrive while CONNECT is being processed wait for it.
 */
import type { Packet } from 'mqtt-packet';
import type { Connection } from '../connection.js';
import { MqttProtocolError } from '../errors.js';
import { ReasonCode } from '../reason-codes.js';
import { handlePuback, handlePubcomp, handlePubrec } from './acks.js';
import { handleConnect } from './connect.js';
import { handlePublish } from './publish.js';
import { handlePubrel } from './pubrel.js';
import { handleAuth, handleDisconnect, handlePingreq } from './session-control.js';
import { handleSubscribe } from './subscribe.js';
import { handleUnsubscribe } from './unsubscribe.js';

type Handler = (conn: Connection, packet: any) => void;

const handlers: Partial<Record<Packet['cmd'], Handler>> = {
  publish: handlePublish,
  puback: handlePuback,
  pubrec: handlePubrec,
  pubrel: handlePubrel,
  pubcomp: handlePubcomp,
  subscribe: handleSubscribe,
  unsubscribe: handleUnsubscribe,
  pingreq: handlePingreq,
  disconnect: handleDisconnect,
  auth: handleAuth,
};

/** packets received between CONNECT and its CONNACK, handled once connected */
const MAX_DEFERRED = 1_000;
const deferred = new WeakMap<Connection, Packet[]>();

export function dispatch(conn: Connection, packet: Packet): void {
  if (packet.cmd === 'connect') {
    if (conn.state !== 'new') throw new MqttProtocolError(ReasonCode.ProtocolError, 'second CONNECT'); // [MQTT-3.1.0-2]
    handleConnect(conn, packet);
    return;
  }
  if (conn.state === 'new') throw new MqttProtocolError(ReasonCode.ProtocolError, `${packet.cmd} before CONNECT`); // [MQTT-3.1.0-1]
  if (conn.state === 'connecting') {
    let queue = deferred.get(conn);
    if (!queue) deferred.set(conn, (queue = []));
    queue.push(packet);
    if (queue.length >= MAX_DEFERRED) conn.pauseReading();
    return;
  }
  const handler = handlers[packet.cmd];
  if (!handler) throw new MqttProtocolError(ReasonCode.ProtocolError, `a client does not send ${packet.cmd.toUpperCase()}`);
  handler(conn, packet);
}

/** after CONNACK: the packets that waited for it, in order */
export function dispatchDeferred(conn: Connection): void {
  const queue = deferred.get(conn);
  if (!queue) return;
  deferred.delete(conn);
  for (const packet of queue) {
    if (conn.state !== 'connected') return;
    try {
      dispatch(conn, packet);
    } catch (err) {
      conn.fail(err);
      return;
    }
  }
  conn.resumeReading();
}
