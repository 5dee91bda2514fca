/**
 * CONNECT / STOMP (STOMP 1.2 §CONNECT or STOMP Frame): version negotiation,
 * login/passcode through the shared Authenticator, heart-beat negotiation → CONNECTED.
 */
import type { Connection } from '../connection.js';
import { StompError, StompErrorCode } from '../errors.js';
import { makeFrame, SUPPORTED_VERSIONS, type StompFrame, type StompVersion } from '../frame.js';
import type { CommandOutcome } from './index.js';

/**
 * STOMP 1.2 §Protocol Negotiation: the highest version both sides speak; no
 * accept-version header means 1.0.
 */
export function negotiateVersion(acceptVersion: string | undefined): StompVersion {
  if (acceptVersion === undefined) return '1.0';
  const offered = new Set(acceptVersion.split(',').map((v) => v.trim()));
  for (let i = SUPPORTED_VERSIONS.length - 1; i >= 0; i--) {
    if (offered.has(SUPPORTED_VERSIONS[i]!)) return SUPPORTED_VERSIONS[i]!;
  }
  throw new StompError(StompErrorCode.UnsupportedVersion, 'supported protocol versions are 1.0, 1.1 and 1.2',
    `the client accepts ${JSON.stringify(acceptVersion.slice(0, 64))}`, { headers: { version: SUPPORTED_VERSIONS.join(',') } });
}

/** STOMP 1.2 §Heart-beating: "cx,cy" → [cx, cy] */
export function parseHeartBeat(value: string | undefined): [number, number] {
  if (value === undefined) return [0, 0];
  const match = /^\s*(\d{1,9})\s*,\s*(\d{1,9})\s*$/.exec(value);
  if (!match) {
    throw new StompError(StompErrorCode.InvalidHeader, `invalid heart-beat header ${JSON.stringify(value.slice(0, 40))}`,
      'heart-beat is two non-negative integers: cx,cy (STOMP 1.2 §Heart-beating)');
  }
  return [Number(match[1]), Number(match[2])];
}

/**
 * [server sends every, server expects every] in ms: each direction is the larger of
 * what one side offers and the other wants, 0 when either says 0.
 */
export function negotiateHeartBeat(client: [number, number], server: [number, number]): [number, number] {
  const [cx, cy] = client;
  const [sx, sy] = server;
  return [sx === 0 || cy === 0 ? 0 : Math.max(sx, cy), cx === 0 || sy === 0 ? 0 : Math.max(cx, sy)];
}

export async function handleConnect(connection: Connection, frame: StompFrame): Promise<CommandOutcome> {
  if (connection.isConnected) throw new StompError(StompErrorCode.AlreadyConnected, 'already connected', 'CONNECT is sent once per connection');
  const h = frame.headers;
  const version = negotiateVersion(h.get('accept-version'));
  const clientHeartBeat = parseHeartBeat(h.get('heart-beat'));
  const { auth, config } = connection.services;
  const principal = auth.authenticate(h.get('login'), h.get('passcode'));
  if (!principal) {
    throw new StompError(StompErrorCode.AuthenticationFailed, 'authentication failed',
      h.get('login') === undefined ? 'this server requires login and passcode' : 'wrong login or passcode');
  }
  // STOMP 1.0 has no heart-beating
  const heartBeat: [number, number] = version === '1.0' ? [0, 0] : negotiateHeartBeat(clientHeartBeat, config.heartBeatMs);
  connection.establish({ version, principal, clientId: h.get('client-id'), heartBeat });
  connection.write(makeFrame('CONNECTED', {
    version,
    'heart-beat': version === '1.0' ? undefined : `${config.heartBeatMs[0]},${config.heartBeatMs[1]}`,
    session: connection.token,
    server: config.serverName ?? 'rocketgate',
  }));
}
