/**
 * Topics: every topic with its queue count, messages, write rate and last write;
 * create one (name, queue count, ordered) for users who may change things.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { LoadError, Notice, PageHeader, TableWrap, Empty } from '../components/ui.js';
import { ago, count, errorText, rate } from '../format.js';
import { usePoll } from '../hooks.js';
import { RateTracker } from '../rates.js';
import { href, navigate } from '../route.js';
import { useCanWrite } from '../session.js';
import type { TopicStats } from '../types.js';

export const sumMaxOffsets = (t: TopicStats): number => t.queues.reduce((n, q) => n + q.maxOffset, 0);
export const lastWrite = (t: TopicStats): number => t.queues.reduce((m, q) => Math.max(m, q.lastStoreTimestamp), 0);

function CreateTopic({ onCreated }: { onCreated: (topic: string) => void }) {
  const [name, setName] = useState('');
  const [queues, setQueues] = useState(8);
  const [order, setOrder] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await request('/v1/topics', { method: 'POST', body: { topic: name.trim(), queueCount: queues, order } });
      onCreated(name.trim());
      setName('');
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-labelledby="create-topic-title">
      <h2 id="create-topic-title">Create a topic</h2>
      <label class="field"><span>Name</span>
        <input name="topic" required maxLength={127} pattern={'[^\\/+#]+'} value={name} onInput={(e) => setName(e.currentTarget.value)} aria-describedby="topic-name-hint" />
      </label>
      <label class="field"><span>Queues</span>
        <input name="queueCount" type="number" min={1} max={1024} required value={queues} onInput={(e) => setQueues(Number(e.currentTarget.value))} />
      </label>
      <label class="check"><input type="checkbox" checked={order} onChange={(e) => setOrder(e.currentTarget.checked)} /> Ordered (a sharding key keeps its queue)</label>
      <button type="submit" class="primary" disabled={busy || name.trim() === ''}>{busy ? 'Creating…' : 'Create topic'}</button>
      <p id="topic-name-hint" class="hint">Up to 127 bytes, without / + # or control characters.</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
    </form>
  );
}

export function TopicsPage() {
  const canWrite = useCanWrite();
  const [system, setSystem] = useState(false);
  const [filter, setFilter] = useState('');
  const [created, setCreated] = useState<string | undefined>();
  const tracker = useRef(new RateTracker());
  const topics = usePoll((signal) => request<{ topics: TopicStats[] }>('/v1/topics', { signal, query: { system } }), [system], 5_000);

  const rates = useMemo(() => {
    const list = topics.data?.topics ?? [];
    return tracker.current.update(Object.fromEntries(list.map((t) => [t.topic, sumMaxOffsets(t)])));
  }, [topics.data]);

  // `$` topics are the adapters' own tables (MQTT retained messages, sessions, wills)
  const shown = (topics.data?.topics ?? []).filter((t) => (system || !t.topic.startsWith('$')) && t.topic.toLowerCase().includes(filter.toLowerCase()));
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Topics" />
      {canWrite ? <CreateTopic onCreated={(t) => { setCreated(t); topics.reload(); navigate(href('topics', t)); }} /> : null}
      {created ? <Notice kind="success">Topic {created} created.</Notice> : null}
      <div class="toolbar">
        <label class="field"><span>Filter</span><input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} /></label>
        <label class="check"><input type="checkbox" checked={system} onChange={(e) => setSystem(e.currentTarget.checked)} /> Show system topics (retry, dead-letter, internal)</label>
      </div>
      <LoadError error={topics.error} />
      {topics.data && shown.length === 0 ? <Empty>No topics{filter ? ' match the filter' : ''}.</Empty> : null}
      {shown.length > 0 ? (
        <TableWrap label="Topics">
          <table id="topics-table">
            <thead><tr><th scope="col">Topic</th><th scope="col">Queues</th><th scope="col">Messages</th><th scope="col">Rate</th><th scope="col">Last write</th><th scope="col">Ordered</th></tr></thead>
            <tbody>
              {shown.map((t) => (
                <tr key={t.topic} data-topic={t.topic}>
                  <th scope="row"><a href={href('topics', t.topic)}>{t.topic}</a></th>
                  <td class="num">{t.queueCount}</td>
                  <td class="num">{count(t.messageCount)}</td>
                  <td class="num">{rate(rates[t.topic])}</td>
                  <td>{ago(lastWrite(t) || undefined)}</td>
                  <td>{t.order ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </section>
  );
}
