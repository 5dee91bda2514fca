/**
 * One group: its members with protocol and subscriptions, lag per queue, and (for users
 * who may change things) a reset of its offsets on a topic to a time, or its deletion.
 */
import { useState } from 'preact/hooks';
import { ApiError, enc, request } from '../api.js';
import { Confirm, Empty, LoadError, Notice, PageHeader, TableWrap } from '../components/ui.js';
import { ago, count, errorText, fromLocalInput, time, toLocalInput } from '../format.js';
import { groupKind, modelLabel } from '../group-kind.js';
import { usePoll } from '../hooks.js';
import { href, navigate } from '../route.js';
import { useCanWrite } from '../session.js';
import type { GroupInfo, LagList, TopicStats } from '../types.js';

type Pending = { kind: 'reset'; topic: string; at: number } | { kind: 'delete' };

export function GroupDetailPage({ group }: { group: string }) {
  const canWrite = useCanWrite();
  const info = usePoll((signal) => request<GroupInfo>(`/v1/groups/${enc(group)}`, { signal }), [group], 5_000);
  const lag = usePoll((signal) => request<LagList>(`/v1/groups/${enc(group)}/lag`, { signal }), [group], 5_000);
  const dlq = usePoll((signal) => request<TopicStats>(`/v1/topics/${enc(`%DLQ%${group}`)}`, { signal }).catch(() => undefined), [group], 15_000);
  const [topic, setTopic] = useState('');
  const [at, setAt] = useState(toLocalInput(Date.now() - 3_600_000));
  const [pending, setPending] = useState<Pending | undefined>();
  const [notice, setNotice] = useState<{ kind: 'error' | 'success'; text: string } | undefined>();

  const topics = [...new Set([...(lag.data?.queues ?? []).map((q) => q.topic), ...(info.data?.members ?? []).flatMap((m) => m.subscriptions.map((s) => s.topic))])]
    .sort((a, b) => Number(a.startsWith('%')) - Number(b.startsWith('%')) || a.localeCompare(b)); // retry topics last
  const resetTopic = topic || topics[0] || '';

  const run = async (p: Pending): Promise<void> => {
    setPending(undefined);
    try {
      if (p.kind === 'reset') {
        const r = await request<LagList>(`/v1/groups/${enc(group)}/offsets/reset`, { method: 'POST', body: { topic: p.topic, timestamp: p.at } });
        setNotice({ kind: 'success', text: `Offsets of ${group} on ${p.topic} moved to ${time(p.at)}; lag now ${count(r.totalLag)}.` });
        lag.reload();
      } else {
        await request(`/v1/groups/${enc(group)}`, { method: 'DELETE' });
        navigate(href('groups'));
      }
    } catch (err) {
      setNotice({ kind: 'error', text: err instanceof ApiError ? `${err.message} (${err.code})` : errorText(err) });
    }
  };

  const g = info.data;
  return (
    <section aria-labelledby="page-title">
      <nav class="crumbs" aria-label="Breadcrumb"><a href={href('groups')}>Groups</a> / <span aria-current="page">{group}</span></nav>
      <PageHeader title={`Group ${group}`}>
        {dlq.data ? <a class="button" href={href('dead-letters', group)}>Dead letters ({count(dlq.data.messageCount)})</a> : null}
        {canWrite ? <button type="button" class="danger" onClick={() => setPending({ kind: 'delete' })}>Delete group</button> : null}
      </PageHeader>
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      <LoadError error={info.error} />
      {g ? (
        <dl class="facts">
          <div><dt>Kind</dt><dd>{groupKind(g).label}</dd></div>
          <div><dt>Model</dt><dd>{modelLabel(g.messageModel)}{g.orderly ? ', orderly' : ''}</dd></div>
          <div><dt>New members start</dt><dd>{g.consumeFrom.toLowerCase()}{g.consumeTimestamp ? ` (${time(g.consumeTimestamp)})` : ''}</dd></div>
          <div><dt>Max reconsume times</dt><dd>{g.maxReconsumeTimes}</dd></div>
          <div><dt>Total lag</dt><dd id="group-lag">{count(lag.data?.totalLag)}</dd></div>
        </dl>
      ) : null}

      <h2>Members</h2>
      {g && g.members.length === 0 ? <Empty>No member is connected.</Empty> : null}
      {g && g.members.length > 0 ? (
        <TableWrap label="Members">
          <table>
            <thead><tr><th scope="col">Client</th><th scope="col">Protocol</th><th scope="col">Last heartbeat</th><th scope="col">Subscriptions</th></tr></thead>
            <tbody>
              {g.members.map((m) => (
                <tr key={m.clientId}>
                  <th scope="row" class="mono">{m.clientId}</th>
                  <td>{m.protocol}</td>
                  <td>{ago(m.lastHeartbeat)}</td>
                  <td class="small">{m.subscriptions.map((s) => `${s.topic} (${s.filter.type} ${s.filter.expression})`).join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}

      <h2>Lag per queue</h2>
      <LoadError error={lag.error} />
      {lag.data && lag.data.queues.length === 0 ? <Empty>No committed offsets yet.</Empty> : null}
      {lag.data && lag.data.queues.length > 0 ? (
        <TableWrap label="Lag per queue">
          <table id="lag-table">
            <thead><tr><th scope="col">Topic</th><th scope="col">Queue</th><th scope="col">Broker offset</th><th scope="col">Consumer offset</th><th scope="col">Lag</th></tr></thead>
            <tbody>
              {lag.data.queues.map((q) => (
                <tr key={`${q.topic}-${q.queueId}`}>
                  <th scope="row"><a href={href('topics', q.topic)}>{q.topic}</a></th>
                  <td class="num">{q.queueId}</td>
                  <td class="num">{count(q.brokerOffset)}</td>
                  <td class="num">{count(q.consumerOffset)}</td>
                  <td class="num">{count(q.lag)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}

      {canWrite && topics.length > 0 ? (
        <form class="inline-form" aria-labelledby="reset-title" onSubmit={(e) => {
          e.preventDefault();
          const ms = fromLocalInput(at);
          if (ms !== undefined) setPending({ kind: 'reset', topic: resetTopic, at: ms });
        }}>
          <h2 id="reset-title">Reset offsets to a time</h2>
          <label class="field"><span>Topic</span>
            <select value={resetTopic} onChange={(e) => setTopic(e.currentTarget.value)}>{topics.map((t) => <option key={t} value={t}>{t}</option>)}</select>
          </label>
          <label class="field"><span>Time</span><input type="datetime-local" step={1} required value={at} onInput={(e) => setAt(e.currentTarget.value)} /></label>
          <button type="submit">Reset offsets</button>
          <p class="hint">Members go on from the first message stored at or after that time: earlier times replay messages, later ones skip them.</p>
        </form>
      ) : null}

      {pending?.kind === 'reset' ? (
        <Confirm title="Reset offsets?" message={<p>Move {group} on {pending.topic} to {time(pending.at)}.</p>} confirmLabel="Reset offsets" onConfirm={() => void run(pending)} onCancel={() => setPending(undefined)} />
      ) : null}
      {pending?.kind === 'delete' ? (
        <Confirm title={`Delete group ${group}?`} message={<p>Its committed offsets are removed; connected members may recreate it.</p>} confirmLabel="Delete group" danger typeToConfirm={group} onConfirm={() => void run(pending)} onCancel={() => setPending(undefined)} />
      ) : null}
    </section>
  );
}
