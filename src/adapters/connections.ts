/**
 * What a protocol adapter reports about its individual client connections, and how an
 * administrator closes one: the admin API (GET/DELETE /v1/admin/connections) and the
 * dashboard's Connections page read every adapter through this one shape.
 */

/** one subscription of a connection, in the protocol's own words */
export interface ConnectionSubscription {
  /** the MQTT topic filter (`$share/...` included) or the STOMP destination */
  destination: string;
  /** the STOMP subscription id */
  id?: string;
  /** MQTT: granted QoS */
  qos?: number;
  /** STOMP: auto, client, client-individual */
  ackMode?: string;
  /** STOMP: messages delivered and not yet acknowledged at most */
  prefetch?: number;
  /** the kernel consumer group that feeds it, when it has its own */
  group?: string;
  /** delivered, not yet acknowledged */
  inFlight?: number;
}

export interface ConnectionInfo {
  /** unique among the process's connections: `<protocol>-<n>`; the handle for disconnect */
  id: string;
  /** the adapter: mqtt, stomp, ... */
  protocol: string;
  /** e.g. "5", "3.1.1", "1.2" */
  protocolVersion: string;
  /** tcp, ws, sse (TLS is the listener's business) */
  transport: string;
  /** the client id (MQTT), the client-id header (STOMP); empty when the client gave none */
  clientId: string;
  remoteAddress: string;
  /** the authenticated user; null for anonymous clients */
  user: string | null;
  /** epoch ms the socket was accepted */
  connectedAt: number;
  /** MQTT keep alive, STOMP heart-beat expected from the client; 0 = none */
  keepAliveSeconds?: number;
  /** MQTT: the session survives a disconnect */
  persistentSession?: boolean;
  subscriptions: ConnectionSubscription[];
  /** messages received from the client (PUBLISH, SEND) */
  messagesIn: number;
  /** messages sent to the client (PUBLISH, MESSAGE) */
  messagesOut: number;
  /** messages delivered and not yet acknowledged */
  inFlight: number;
}

export interface ConnectionDirectory {
  listConnections(): ConnectionInfo[];
  /** closes the connection with the protocol's own "administrative action" signal; false when it is not ours (any more) */
  disconnect(id: string): boolean;
}

/**
 * Short, stable ids for connection objects, issued on first sight: a connection keeps
 * its id for its whole life and ids are never reused within the process.
 */
export class ConnectionIds<C extends object> {
  private readonly ids = new WeakMap<C, string>();
  private next = 1;

  constructor(private readonly prefix: string) {}

  of(connection: C): string {
    let id = this.ids.get(connection);
    if (id === undefined) this.ids.set(connection, (id = `${this.prefix}-${this.next++}`));
    return id;
  }
}
