/**
 * The individual client connections (GET /v1/admin/connections): who, over what, since
 * when, what they subscribe to and how much went each way; writers may disconnect one
 * (DELETE /v1/admin/connections/{id}) after confirming.
 */
import { useState } from 'preact/hooks';
import { enc, request } from '../api.js';
import { ago, count, duration, errorText } from '../format.js';
import type { ConnectionInfo, ConnectionSubscription } from '../types.js';
import { Confirm, Empty, Notice, TableWrap } from './ui.js';

function subscriptionText(s: ConnectionSubscription): string {
  const extra = [
    s.qos !== undefined ? `QoS ${s.qos}` : undefined,
    s.ackMode,
    s.prefetch !== undefined ? `prefetch ${s.prefetch}` : undefined,
    s.inFlight ? `${s.inFlight} in flight` : undefined,
  ].filter(Boolean);
  return extra.length > 0 ? `${s.destination} (${extra.join(', ')})` : s.destination;
}

export function ClientTable({ clients, canWrite, onChanged }: { clients: ConnectionInfo[]; canWrite: boolean; onChanged: () => void }) {
  const [pending, setPending] = useState<ConnectionInfo | undefined>();
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | undefined>();

  const disconnect = async (c: ConnectionInfo): Promise<void> => {
    setPending(undefined);
    try {
      await request(`/v1/admin/connections/${enc(c.id)}`, { method: 'DELETE' });
      setMessage({ kind: 'success', text: `Disconnected ${c.clientId || c.id}.` });
    } catch (err) {
      setMessage({ kind: 'error', text: `Could not disconnect ${c.clientId || c.id}: ${errorText(err)}` });
    }
    onChanged();
  };

  return (
    <>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      {clients.length === 0 ? <Empty>No client is connected.</Empty> : (
        <TableWrap label="Clients">
          <table id="clients-table">
            <thead>
              <tr>
                <th scope="col">Client</th><th scope="col">Protocol</th><th scope="col">Remote address</th><th scope="col">User</th>
                <th scope="col">Connected</th><th scope="col">Keep-alive</th><th scope="col">Subscriptions</th>
                <th scope="col">In</th><th scope="col">Out</th><th scope="col">In flight</th>
                {canWrite ? <th scope="col"><span class="sr-only">Action</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {clients.map((c) => (
                <tr key={c.id} data-connection={c.id} data-client-id={c.clientId}>
                  <th scope="row" class="mono">{c.clientId || <span class="muted">{c.id}</span>}</th>
                  <td>{c.protocol} {c.protocolVersion}<span class="small muted"> · {c.transport}{c.persistentSession ? ' · persistent session' : ''}</span></td>
                  <td class="mono small">{c.remoteAddress}</td>
                  <td>{c.user ?? <span class="muted">anonymous</span>}</td>
                  <td title={new Date(c.connectedAt).toLocaleString()}>{ago(c.connectedAt)}</td>
                  <td>{c.keepAliveSeconds ? duration(c.keepAliveSeconds * 1000) : '—'}</td>
                  <td class="small" data-subscriptions>{c.subscriptions.map(subscriptionText).join('; ') || '—'}</td>
                  <td class="num" data-count="in">{count(c.messagesIn)}</td>
                  <td class="num" data-count="out">{count(c.messagesOut)}</td>
                  <td class="num">{count(c.inFlight)}</td>
                  {canWrite ? <td><button type="button" class="danger" onClick={() => setPending(c)} aria-label={`Disconnect ${c.clientId || c.id}`}>Disconnect</button></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {pending ? (
        <Confirm
          title={`Disconnect ${pending.clientId || pending.id}?`}
          message={<p>The {pending.protocol} connection from {pending.remoteAddress} is closed now ({pending.protocol === 'mqtt' ? 'MQTT 5 clients are told: administrative action' : pending.protocol === 'stomp' ? 'the client receives an ERROR frame' : 'the event stream ends'}). The client may connect again.</p>}
          confirmLabel="Disconnect"
          danger
          onConfirm={() => void disconnect(pending)}
          onCancel={() => setPending(undefined)}
        />
      ) : null}
    </>
  );
}
