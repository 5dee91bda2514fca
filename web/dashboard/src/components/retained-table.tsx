/**
 * MQTT retained messages (GET /v1/admin/mqtt/retained) filtered by an MQTT topic filter;
 * writers clear one, or every one the filter matches (DELETE ...?filter=), after confirming.
 */
import { useState } from 'preact/hooks';
import { request } from '../api.js';
import { count, errorText, time } from '../format.js';
import { usePoll } from '../hooks.js';
import type { RetainedMessageView } from '../types.js';
import { Confirm, Empty, LoadError, Notice, TableWrap } from './ui.js';

const PREVIEW = 80;

function preview(m: RetainedMessageView): string {
  const text = m.encoding === 'utf8' ? m.body : `[${m.bodySize} bytes binary]`;
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…` : text;
}

/** the adapter's own bookkeeping (mqtt.qos, mqtt.clientId, ...) is shown apart from user properties */
const INTERNAL = 'mqtt.';

function userProperties(m: RetainedMessageView): string {
  return Object.entries(m.properties).filter(([k]) => !k.startsWith(INTERNAL)).map(([k, v]) => `${k}=${v}`).join(', ') || '—';
}

/** what the user types is a filter; an empty box means all (`#`) */
const effective = (filter: string): string => filter.trim() || '#';

export function RetainedMessages({ canWrite }: { canWrite: boolean }) {
  const [filter, setFilter] = useState('');
  const [applied, setApplied] = useState('#');
  const [pending, setPending] = useState<{ filter: string; label: string } | undefined>();
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | undefined>();
  const retained = usePoll((signal) => request<{ messages: RetainedMessageView[] }>('/v1/admin/mqtt/retained', { signal, query: { filter: applied } }), [applied], 10_000);
  const messages = retained.data?.messages ?? [];

  const clear = async (target: { filter: string; label: string }): Promise<void> => {
    setPending(undefined);
    try {
      const { cleared } = await request<{ cleared: number }>('/v1/admin/mqtt/retained', { method: 'DELETE', query: { filter: target.filter } });
      setMessage({ kind: 'success', text: `Cleared ${count(cleared)} retained message${cleared === 1 ? '' : 's'} (${target.label}).` });
    } catch (err) {
      setMessage({ kind: 'error', text: `Could not clear ${target.label}: ${errorText(err)}` });
    }
    retained.reload();
  };

  return (
    <>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setApplied(effective(filter)); }}>
        <label class="field"><span>MQTT topic filter</span><input id="retained-filter" type="search" placeholder="# (all)" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} /></label>
        <button type="submit">Show</button>
        {canWrite && messages.length > 0 ? (
          <button type="button" class="danger" id="clear-retained" onClick={() => setPending({ filter: applied, label: `all matching ${applied}` })}>Clear all shown</button>
        ) : null}
      </form>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      <LoadError error={retained.error} />
      {retained.data && messages.length === 0 ? <Empty>No retained messages{applied === '#' ? '' : ` match ${applied}`}.</Empty> : null}
      {messages.length > 0 ? (
        <TableWrap label="Retained messages">
          <table id="retained-table">
            <thead>
              <tr>
                <th scope="col">MQTT topic</th><th scope="col">QoS</th><th scope="col">Publisher</th><th scope="col">Content type</th><th scope="col">Size</th><th scope="col">Expires</th><th scope="col">User properties</th><th scope="col">Body</th>
                {canWrite ? <th scope="col"><span class="sr-only">Action</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {messages.map((m) => (
                <tr key={m.topic} data-topic={m.topic}>
                  <th scope="row" class="mono">{m.topic}</th>
                  <td class="num">{m.properties['mqtt.qos'] ?? '—'}</td>
                  <td class="mono small">{m.properties['mqtt.clientId'] ?? '—'}</td>
                  <td>{m.contentType ?? '—'}</td>
                  <td class="num">{count(m.bodySize)} B</td>
                  <td>{m.expireAt ? time(m.expireAt) : 'never'}</td>
                  <td class="small">{userProperties(m)}</td>
                  <td class="mono small">{preview(m)}</td>
                  {canWrite ? <td><button type="button" onClick={() => setPending({ filter: m.topic, label: m.topic })} aria-label={`Clear retained ${m.topic}`}>Clear</button></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      {pending ? (
        <Confirm
          title={`Clear retained ${pending.label}?`}
          message={<p>New subscribers no longer receive {pending.filter === applied && pending.label.startsWith('all') ? `the ${count(messages.length)} retained messages matching ${pending.filter}` : `the retained message of ${pending.filter}`}, as if a client had published an empty retained message. This cannot be undone.</p>}
          confirmLabel="Clear"
          danger
          onConfirm={() => void clear(pending)}
          onCancel={() => setPending(undefined)}
        />
      ) : null}
    </>
  );
}
