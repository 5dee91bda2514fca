/**
 * One message: tag, keys, properties, content type, born and store times, the body as
 * text, JSON or hex, and where it was delivered: each group reading its topic, and
 * whether that group's committed offset on the message's queue is past it.
 */
import type { ComponentChildren } from 'preact';
import { enc, request } from '../api.js';
import { BodyView } from '../components/body-view.js';
import { Empty, LoadError, PageHeader, TableWrap } from '../components/ui.js';
import { count, time } from '../format.js';
import { groupKind } from '../group-kind.js';
import { usePoll } from '../hooks.js';
import { href, hrefWithQuery } from '../route.js';
import type { MessageView } from '../types.js';
import { readersOf } from './topic-detail.js';

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return <div><dt>{label}</dt><dd>{children}</dd></div>;
}

export function MessageDetailPage({ msgId }: { msgId: string }) {
  const message = usePoll((signal) => request<MessageView>(`/v1/messages/${enc(msgId)}`, { signal }), [msgId]);
  const m = message.data;
  const readers = usePoll((signal) => (m ? readersOf(m.topic, signal) : Promise.resolve(undefined)), [m?.topic], 10_000);
  return (
    <section aria-labelledby="page-title">
      <nav class="crumbs" aria-label="Breadcrumb"><a href={hrefWithQuery(['messages'], { mode: 'id' })}>Messages</a> / <span aria-current="page" class="mono">{msgId}</span></nav>
      <PageHeader title="Message" />
      <LoadError error={message.error} />
      {m ? (
        <>
          <dl class="facts" id="message-facts">
            <Fact label="Message id"><span class="mono">{m.msgId}</span></Fact>
            <Fact label="Topic"><a href={href('topics', m.topic)}>{m.topic}</a></Fact>
            <Fact label="Queue / offset">{m.queueId} / <a href={hrefWithQuery(['messages'], { mode: 'browse', topic: m.topic, queueId: m.queueId, offset: m.queueOffset })}>{count(m.queueOffset)}</a></Fact>
            <Fact label="Tag">{m.tag ?? '—'}</Fact>
            <Fact label="Keys">{m.keys.length ? m.keys.join(', ') : '—'}</Fact>
            {m.path ? <Fact label="Path">{m.path}</Fact> : null}
            <Fact label="Content type">{m.contentType ?? '—'}</Fact>
            <Fact label="Born">{time(m.bornTimestamp)}</Fact>
            <Fact label="Stored">{time(m.storeTimestamp)}</Fact>
            {m.deliverAt ? <Fact label="Deliver at">{time(m.deliverAt)}</Fact> : null}
            {m.expireAt ? <Fact label="Expires">{time(m.expireAt)}</Fact> : null}
            {m.shardingKey ? <Fact label="Sharding key">{m.shardingKey}</Fact> : null}
            {m.priority !== undefined ? <Fact label="Priority">{m.priority}</Fact> : null}
            {m.correlationId ? <Fact label="Correlation id">{m.correlationId}</Fact> : null}
            {m.replyTo ? <Fact label="Reply to">{m.replyTo}</Fact> : null}
            <Fact label="Reconsume times">{m.reconsumeTimes}</Fact>
          </dl>

          <h2>Properties</h2>
          {Object.keys(m.properties).length === 0 ? <Empty>No properties.</Empty> : (
            <TableWrap label="Properties">
              <table id="properties-table">
                <thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
                <tbody>{Object.entries(m.properties).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => <tr key={k}><th scope="row">{k}</th><td class="mono">{v}</td></tr>)}</tbody>
              </table>
            </TableWrap>
          )}

          <h2>Body</h2>
          <BodyView body={m.body} encoding={m.encoding} contentType={m.contentType} />

          <h2>Delivery</h2>
          <p class="hint">A group has consumed the message when its committed offset on queue {m.queueId} is past {count(m.queueOffset)}. Reconsumed {m.reconsumeTimes} times.</p>
          <LoadError error={readers.error} />
          {readers.data && readers.data.length === 0 ? <Empty>No group reads {m.topic}.</Empty> : null}
          {readers.data && readers.data.length > 0 ? (
            <TableWrap label="Delivery to groups">
              <table id="delivery-table">
                <thead><tr><th scope="col">Group</th><th scope="col">Kind</th><th scope="col">Committed offset</th><th scope="col">State</th></tr></thead>
                <tbody>
                  {readers.data.map((r) => {
                    const q = r.queues.find((x) => x.queueId === m.queueId);
                    const state = !q ? 'not started' : q.consumerOffset > m.queueOffset ? 'consumed' : 'pending';
                    return (
                      <tr key={r.group.group}>
                        <th scope="row"><a href={href('groups', r.group.group)}>{r.group.group}</a></th>
                        <td>{groupKind(r.group).label}</td>
                        <td class="num">{q ? count(q.consumerOffset) : '—'}</td>
                        <td><span class={`badge badge-${state.replace(' ', '-')}`}>{state}</span></td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableWrap>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
