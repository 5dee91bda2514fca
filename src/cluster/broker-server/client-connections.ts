/**
 * Which connection each consumer client of each group uses (RocketMQ's
 * ConsumerManager channel table): to unregister a client when its connection closes
 * (ClientHousekeepingService) and to tell a group's members that its membership changed
 * (NOTIFY_CONSUMER_IDS_CHANGED, one-way, header {consumerGroup}), so they rebalance now
 * rather than at their next periodic rebalance.
 */
import { createRequest } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode } from '../remoting/request-codes.js';
import type { Connection } from '../remoting/transport.js';

export interface ClientGroup {
  clientId: string;
  group: string;
}

export class ClientConnections {
  /** group → clientId → connection */
  private readonly groups = new Map<string, Map<string, Connection>>();
  /** connection id → its (client, group) pairs */
  private readonly byConnection = new Map<string, Map<string, ClientGroup>>();

  constructor(private readonly server: RemotingServer) {}

  bind(connection: Connection, clientId: string, group: string): void {
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = new Map()));
    members.set(clientId, connection);
    let pairs = this.byConnection.get(connection.id);
    if (!pairs) this.byConnection.set(connection.id, (pairs = new Map()));
    pairs.set(`${group}\u0000${clientId}`, { clientId, group });
  }

  unbind(clientId: string, group: string): void {
    const connection = this.groups.get(group)?.get(clientId);
    this.groups.get(group)?.delete(clientId);
    if (this.groups.get(group)?.size === 0) this.groups.delete(group);
    if (connection) this.byConnection.get(connection.id)?.delete(`${group}\u0000${clientId}`);
  }

  /** forgets a closed connection; returns the clients that used it */
  connectionClosed(connection: Connection): ClientGroup[] {
    const pairs = [...(this.byConnection.get(connection.id)?.values() ?? [])];
    this.byConnection.delete(connection.id);
    for (const { clientId, group } of pairs) {
      const members = this.groups.get(group);
      if (members?.get(clientId) === connection) members.delete(clientId);
      if (members?.size === 0) this.groups.delete(group);
    }
    return pairs;
  }

  /** one-way NOTIFY_CONSUMER_IDS_CHANGED to every connected member of `group` */
  notifyGroupChanged(group: string): number {
    let sent = 0;
    const seen = new Set<string>();
    for (const connection of this.groups.get(group)?.values() ?? []) {
      if (seen.has(connection.id)) continue;
      seen.add(connection.id);
      if (this.server.sendOneway(connection, createRequest({ code: RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, header: { consumerGroup: group } }))) sent++;
    }
    return sent;
  }
}
