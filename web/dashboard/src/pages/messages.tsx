/**
 * Messages: look one up by id, find a topic's messages by key, or browse a queue from
 * an offset or a time. The search is kept in the address, so a link opens the same results.
 */
import { useState } from 'preact/hooks';
import { enc, request } from '../api.js';
import { MessageList } from '../components/message-list.js';
import { Empty, LoadError, PageHeader } from '../components/ui.js';
import { count, fromLocalInput, toLocalInput } from '../format.js';
import { usePoll } from '../hooks.js';
import { hrefWithQuery, navigate, type Route } from '../route.js';
import type { BrowseResult, MessageView, TopicStats } from '../types.js';

type Mode = 'id' | 'key' | 'browse';
const MODES: Array<[Mode, string]> = [['id', 'By message id'], ['key', 'By key'], ['browse', 'Browse a queue']];

function useTopics() {
  return usePoll((signal) => request<{ topics: TopicStats[] }>('/v1/topics', { signal, query: { system: true } }), []);
}

function TopicSelect({ value, onChange, topics }: { value: string; onChange: (v: string) => void; topics: TopicStats[] | undefined }) {
  return (
    <label class="field"><span>Topic</span>
      <input name="topic" list="topic-names" required value={value} onInput={(e) => onChange(e.currentTarget.value)} autoComplete="off" />
      <datalist id="topic-names">{(topics ?? []).map((t) => <option key={t.topic} value={t.topic} />)}</datalist>
    </label>
  );
}

function ByIdForm({ initial }: { initial: string }) {
  const [id, setId] = useState(initial);
  return (
    <form class="inline-form" onSubmit={(e) => { e.preventDefault(); if (id.trim()) navigate(`#/message/${enc(id.trim())}`); }}>
      <label class="field grow"><span>Message id</span><input name="msgId" required value={id} onInput={(e) => setId(e.currentTarget.value)} class="mono" /></label>
      <button type="submit" class="primary">Look up</button>
    </form>
  );
}

function ByKey({ route }: { route: Route }) {
  const topics = useTopics();
  const [topic, setTopic] = useState(route.query.get('topic') ?? '');
  const [key, setKey] = useState(route.query.get('key') ?? '');
  const qTopic = route.query.get('topic') ?? '';
  const qKey = route.query.get('key') ?? '';
  const found = usePoll(
    (signal) => (qTopic && qKey ? request<{ messages: MessageView[] }>(`/v1/topics/${enc(qTopic)}/messages`, { signal, query: { key: qKey, max: 100 } }) : Promise.resolve(undefined)),
    [qTopic, qKey],
  );
  return (
    <>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); navigate(hrefWithQuery(['messages'], { mode: 'key', topic: topic.trim(), key: key.trim() })); }}>
        <TopicSelect value={topic} onChange={setTopic} topics={topics.data?.topics} />
        <label class="field"><span>Key</span><input name="key" required value={key} onInput={(e) => setKey(e.currentTarget.value)} /></label>
        <button type="submit" class="primary">Find</button>
      </form>
      <LoadError error={found.error} />
      {found.data && found.data.messages.length === 0 ? <Empty>No message of {qTopic} has the key {qKey}.</Empty> : null}
      {found.data && found.data.messages.length > 0 ? <MessageList label={`Messages of ${qTopic} with key ${qKey}`} messages={found.data.messages} /> : null}
    </>
  );
}

function Browse({ route }: { route: Route }) {
  const topics = useTopics();
  const q = route.query;
  const [topic, setTopic] = useState(q.get('topic') ?? '');
  const [queueId, setQueueId] = useState(Number(q.get('queueId') ?? 0));
  const [from, setFrom] = useState<'offset' | 'time'>(q.get('timestamp') ? 'time' : 'offset');
  const [offset, setOffset] = useState(q.get('offset') ?? '');
  const [at, setAt] = useState(q.get('timestamp') ? toLocalInput(Number(q.get('timestamp'))) : toLocalInput(Date.now() - 3_600_000));
  const [max, setMax] = useState(Number(q.get('max') ?? 20));
  const selected = topics.data?.topics.find((t) => t.topic === topic);

  const params = { topic: q.get('topic') ?? '', queueId: q.get('queueId') ?? '0', offset: q.get('offset') ?? undefined, timestamp: q.get('timestamp') ?? undefined, max: q.get('max') ?? '20' };
  const result = usePoll(
    (signal) => (params.topic ? request<BrowseResult>('api/browse', { signal, query: params }) : Promise.resolve(undefined)),
    [params.topic, params.queueId, params.offset, params.timestamp, params.max],
  );
  const go = (e: Event): void => {
    e.preventDefault();
    const start = from === 'time' ? { timestamp: fromLocalInput(at) } : { offset: offset === '' ? undefined : Number(offset) };
    navigate(hrefWithQuery(['messages'], { mode: 'browse', topic: topic.trim(), queueId, max, ...start }));
  };
  const r = result.data;
  return (
    <>
      <form class="inline-form" onSubmit={go}>
        <TopicSelect value={topic} onChange={setTopic} topics={topics.data?.topics} />
        <label class="field"><span>Queue</span>
          <select name="queueId" value={queueId} onChange={(e) => setQueueId(Number(e.currentTarget.value))}>
            {Array.from({ length: selected?.queueCount ?? Math.max(queueId + 1, 1) }, (_, i) => <option key={i} value={i}>{i}</option>)}
          </select>
        </label>
        <fieldset class="field radio-group"><legend>Start at</legend>
          <label class="check"><input type="radio" name="from" checked={from === 'offset'} onChange={() => setFrom('offset')} /> Offset</label>
          <label class="check"><input type="radio" name="from" checked={from === 'time'} onChange={() => setFrom('time')} /> Time</label>
        </fieldset>
        {from === 'offset'
          ? <label class="field"><span>Offset</span><input name="offset" type="number" min={0} placeholder="oldest" value={offset} onInput={(e) => setOffset(e.currentTarget.value)} /></label>
          : <label class="field"><span>Stored at or after</span><input name="timestamp" type="datetime-local" step={1} value={at} onInput={(e) => setAt(e.currentTarget.value)} /></label>}
        <label class="field"><span>Messages</span><input name="max" type="number" min={1} max={200} value={max} onInput={(e) => setMax(Number(e.currentTarget.value))} /></label>
        <button type="submit" class="primary">Browse</button>
      </form>
      <LoadError error={result.error} />
      {r ? (
        <>
          <p class="hint">Queue {r.queueId} of {r.topic} holds offsets {count(r.minOffset)} to {count(r.maxOffset - 1)}; showing from {count(r.startOffset)}.</p>
          {r.messages.length === 0 ? <Empty>No messages from there on.</Empty> : <MessageList label={`Queue ${r.queueId} of ${r.topic}`} messages={r.messages} />}
          <div class="pager">
            {r.startOffset > r.minOffset ? <a class="button" href={hrefWithQuery(['messages'], { mode: 'browse', topic: r.topic, queueId: r.queueId, max: params.max, offset: Math.max(r.minOffset, r.startOffset - Number(params.max)) })}>Earlier</a> : null}
            {r.nextOffset < r.maxOffset ? <a class="button" href={hrefWithQuery(['messages'], { mode: 'browse', topic: r.topic, queueId: r.queueId, max: params.max, offset: r.nextOffset })}>Later</a> : null}
          </div>
        </>
      ) : null}
    </>
  );
}

export function MessagesPage({ route }: { route: Route }) {
  const mode = (route.query.get('mode') as Mode | null) ?? 'id';
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Messages" />
      <nav class="tabs" aria-label="Search mode">
        {MODES.map(([m, label]) => (
          <a key={m} href={hrefWithQuery(['messages'], { mode: m, topic: route.query.get('topic') ?? undefined })} aria-current={m === mode ? 'page' : undefined}>{label}</a>
        ))}
      </nav>
      {mode === 'id' ? <ByIdForm initial={route.query.get('msgId') ?? ''} /> : null}
      {mode === 'key' ? <ByKey key={route.query.toString()} route={route} /> : null}
      {mode === 'browse' ? <Browse key={route.query.toString()} route={route} /> : null}
    </section>
  );
}
