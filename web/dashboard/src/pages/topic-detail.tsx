/**
 * One topic: per-queue min/max offsets and last write, the groups reading it with their
 * lag per queue, links to browse its messages; delete after typing its name.
 */
import { useState } from 'preact/hooks';
import { ApiError, enc, request } from '../api.js';
import { Confirm, Empty, LoadError, Notice, PageHeader, TableWrap } from '../components/ui.js';
import { ago, count, errorText, time } from '../format.js';
import { groupKind, modelLabel } from '../group-kind.js';
import { mapLimit, usePoll } from '../hooks.js';
import { href, hrefWithQuery, navigate } from '../route.js';
import { useCanWrite } from '../session.js';
import type { GroupInfo, LagList, QueueLag, TopicStats } from '../types.js';

export interface TopicReader {
  group: GroupInfo;
  queues: QueueLag[];
  totalLag: number;
}

/** groups with committed offsets (or subscriptions) on `topic`, and their lag per queue */
export async function readersOf(topic: string, signal: AbortSignal): Promise<TopicReader[]> {
  const { groups } = await request<{ groups: GroupInfo[] }>('/v1/groups', { signal });
  const lags = await mapLimit(groups, 4, (g) => request<LagList>(`/v1/groups/${enc(g.group)}/lag`, { signal }).catch(() => ({ totalLag: 0, queues: [] })));
  const readers: TopicReader[] = [];
  groups.forEach((group, i) => {
    const queues = (lags[i]?.queues ?? []).filter((q) => q.topic === topic);
    const subscribed = group.members.some((m) => m.subscriptions.some((s) => s.topic === topic));
    if (queues.length > 0 || subscribed) readers.push({ group, queues, totalLag: queues.reduce((n, q) => n + q.lag, 0) });
  });
  return readers;
}

export function TopicDetailPage({ topic }: { topic: string }) {
  const canWrite = useCanWrite();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const stats = usePoll((signal) => request<TopicStats>(`/v1/topics/${enc(topic)}`, { signal }), [topic], 5_000);
  const readers = usePoll((signal) => readersOf(topic, signal), [topic], 10_000);

  const remove = async (): Promise<void> => {
    setConfirming(false);
    try {
      await request(`/v1/topics/${enc(topic)}`, { method: 'DELETE' });
      navigate(href('topics'));
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : errorText(err));
    }
  };

  const t = stats.data;
  return (
    <section aria-labelledby="page-title">
      <nav class="crumbs" aria-label="Breadcrumb"><a href={href('topics')}>Topics</a> / <span aria-current="page">{topic}</span></nav>
      <PageHeader title={`Topic ${topic}`}>
        <a class="button" href={hrefWithQuery(['messages'], { mode: 'browse', topic })}>Browse messages</a>
        <a class="button" href={hrefWithQuery(['messages'], { mode: 'key', topic })}>Find by key</a>
        {canWrite ? <button type="button" class="danger" onClick={() => setConfirming(true)}>Delete topic</button> : null}
      </PageHeader>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <LoadError error={stats.error} />
      {t ? (
        <dl class="facts">
          <div><dt>Queues</dt><dd>{t.queueCount}</dd></div>
          <div><dt>Messages</dt><dd>{count(t.messageCount)}</dd></div>
          <div><dt>Ordered</dt><dd>{t.order ? 'yes' : 'no'}</dd></div>
          <div><dt>Permissions</dt><dd>{[(t.perm & 4) !== 0 ? 'read' : '', (t.perm & 2) !== 0 ? 'write' : ''].filter(Boolean).join(', ') || 'none'}</dd></div>
          <div><dt>Created</dt><dd>{time(t.createdAt)}</dd></div>
        </dl>
      ) : null}
      {t ? (
        <TableWrap label="Queues">
          <table id="queues-table">
            <caption>Queues</caption>
            <thead><tr><th scope="col">Queue</th><th scope="col">Min offset</th><th scope="col">Max offset</th><th scope="col">Messages</th><th scope="col">Last write</th><th scope="col"><span class="sr-only">Browse</span></th></tr></thead>
            <tbody>
              {t.queues.map((q) => (
                <tr key={q.queueId}>
                  <th scope="row">{q.queueId}</th>
                  <td class="num">{count(q.minOffset)}</td>
                  <td class="num">{count(q.maxOffset)}</td>
                  <td class="num">{count(q.maxOffset - q.minOffset)}</td>
                  <td>{ago(q.lastStoreTimestamp || undefined)}</td>
                  <td><a href={hrefWithQuery(['messages'], { mode: 'browse', topic, queueId: q.queueId, offset: Math.max(q.minOffset, q.maxOffset - 20) })}>Latest messages</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}

      <h2>Groups reading it</h2>
      <LoadError error={readers.error} />
      {readers.data && readers.data.length === 0 ? <Empty>No group reads this topic.</Empty> : null}
      {readers.data && readers.data.length > 0 ? (
        <TableWrap label="Groups reading the topic">
          <table id="readers-table">
            <thead><tr><th scope="col">Group</th><th scope="col">Kind</th><th scope="col">Members</th><th scope="col">Lag</th><th scope="col">Lag per queue</th></tr></thead>
            <tbody>
              {readers.data.map((r) => (
                <tr key={r.group.group}>
                  <th scope="row"><a href={href('groups', r.group.group)}>{r.group.group}</a></th>
                  <td>{groupKind(r.group).label} ({modelLabel(r.group.messageModel)})</td>
                  <td class="num">{r.group.members.length}</td>
                  <td class="num">{count(r.totalLag)}</td>
                  <td class="small">{r.queues.map((q) => `q${q.queueId}: ${q.lag}`).join(' · ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}

      {confirming ? (
        <Confirm
          title={`Delete topic ${topic}?`}
          message={<p>All {count(t?.messageCount)} messages of the topic and its queues are removed. This cannot be undone.</p>}
          confirmLabel="Delete topic"
          danger
          typeToConfirm={topic}
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
    </section>
  );
}
