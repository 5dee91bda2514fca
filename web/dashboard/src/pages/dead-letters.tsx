/**
 * Dead letters: the groups that have any, then one group's dead letters with a re-drive
 * of one message or of all not yet re-driven, in chunks so progress shows and can stop.
 */
import { useRef, useState } from 'preact/hooks';
import { ApiError, enc, request } from '../api.js';
import { Empty, LoadError, Notice, PageHeader, TableWrap } from '../components/ui.js';
import { count, errorText, time } from '../format.js';
import { groupOfDlq, isDlqTopic } from '../group-kind.js';
import { usePoll } from '../hooks.js';
import { href } from '../route.js';
import { useCanWrite } from '../session.js';
import type { DeadLetterList, RedriveResponse, TopicStats } from '../types.js';
import { preview } from '../components/message-list.js';

const PAGE = 50;
const CHUNK = 20;

export function DeadLetterGroupsPage() {
  const topics = usePoll((signal) => request<{ topics: TopicStats[] }>('/v1/topics', { signal, query: { system: true } }), [], 10_000);
  const dlqs = (topics.data?.topics ?? []).filter((t) => isDlqTopic(t.topic));
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Dead letters" />
      <p class="hint">A message that failed more often than its group allows is moved to the group's dead-letter topic. Re-driving sends it back to the group.</p>
      <LoadError error={topics.error} />
      {topics.data && dlqs.length === 0 ? <Empty>No group has dead letters.</Empty> : null}
      {dlqs.length > 0 ? (
        <TableWrap label="Groups with dead letters">
          <table id="dlq-groups">
            <thead><tr><th scope="col">Group</th><th scope="col">Dead letters kept</th><th scope="col">Last</th></tr></thead>
            <tbody>
              {dlqs.map((t) => (
                <tr key={t.topic}>
                  <th scope="row"><a href={href('dead-letters', groupOfDlq(t.topic))}>{groupOfDlq(t.topic)}</a></th>
                  <td class="num">{count(t.messageCount)}</td>
                  <td>{time(t.queues.reduce((m, q) => Math.max(m, q.lastStoreTimestamp), 0) || undefined)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </section>
  );
}

/** dead letters not yet re-driven, counted over every page */
async function countPending(group: string, signal: AbortSignal): Promise<number> {
  let offset: number | undefined;
  let pending = 0;
  for (let pages = 0; pages < 100; pages++) {
    const page = await request<DeadLetterList>(`/v1/groups/${enc(group)}/dead-letters`, { signal, query: { max: 1000, offset } });
    pending += page.messages.filter((m) => !m.redriven).length;
    if (page.messages.length < 1000) break;
    offset = page.nextOffset;
  }
  return pending;
}

export function DeadLettersPage({ group }: { group: string }) {
  const canWrite = useCanWrite();
  const [offset, setOffset] = useState<number | undefined>();
  const list = usePoll((signal) => request<DeadLetterList>(`/v1/groups/${enc(group)}/dead-letters`, { signal, query: { max: PAGE, offset } }), [group, offset], 10_000);
  const [progress, setProgress] = useState<{ done: number; total: number; running: boolean } | undefined>();
  const [notice, setNotice] = useState<{ kind: 'error' | 'success'; text: string } | undefined>();
  const cancel = useRef<AbortController | undefined>(undefined);

  const failText = (r: RedriveResponse): string | undefined => {
    const failed = r.results.filter((x) => x.status !== 201);
    return failed.length ? failed.map((f) => `${f.msgId}: ${f.error?.message ?? f.status}`).join('; ') : undefined;
  };

  const redriveOne = async (msgId: string): Promise<void> => {
    try {
      const r = await request<RedriveResponse>(`/v1/groups/${enc(group)}/dead-letters/redrive`, { method: 'POST', body: { msgIds: [msgId] } });
      const failed = failText(r);
      setNotice(failed ? { kind: 'error', text: failed } : { kind: 'success', text: `Message ${msgId} sent back to ${group}.` });
      list.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: err instanceof ApiError ? `${err.message} (${err.code})` : errorText(err) });
    }
  };

  const redriveAll = async (): Promise<void> => {
    const controller = new AbortController();
    cancel.current = controller;
    setNotice(undefined);
    try {
      const total = await countPending(group, controller.signal);
      let done = 0;
      setProgress({ done, total, running: true });
      while (!controller.signal.aborted) {
        const r = await request<RedriveResponse>(`/v1/groups/${enc(group)}/dead-letters/redrive`, { method: 'POST', body: { max: CHUNK }, signal: controller.signal });
        done += r.redriven;
        setProgress({ done, total: Math.max(total, done), running: true });
        const failed = failText(r);
        if (failed) throw new Error(failed);
        if (r.redriven === 0) break;
      }
      setNotice({ kind: 'success', text: `${count(done)} dead letters sent back to ${group}${controller.signal.aborted ? ' (stopped)' : ''}.` });
    } catch (err) {
      if (!controller.signal.aborted) setNotice({ kind: 'error', text: `Re-drive stopped: ${err instanceof ApiError ? `${err.message} (${err.code})` : errorText(err)}` });
      else setNotice({ kind: 'success', text: 'Re-drive stopped.' });
    } finally {
      setProgress((p) => (p ? { ...p, running: false } : p));
      cancel.current = undefined;
      list.reload();
    }
  };

  const data = list.data;
  return (
    <section aria-labelledby="page-title">
      <nav class="crumbs" aria-label="Breadcrumb"><a href={href('dead-letters')}>Dead letters</a> / <span aria-current="page">{group}</span></nav>
      <PageHeader title={`Dead letters of ${group}`}>
        <a class="button" href={href('groups', group)}>Group</a>
        {canWrite ? <button type="button" class="primary" id="redrive-all" disabled={progress?.running} onClick={() => void redriveAll()}>Re-drive all</button> : null}
        {progress?.running ? <button type="button" onClick={() => cancel.current?.abort()}>Stop</button> : null}
      </PageHeader>
      {progress ? (
        <div class="progress" role="status" aria-live="polite">
          <label for="redrive-progress">Re-drive: {count(progress.done)} of {count(progress.total)}</label>
          <progress id="redrive-progress" max={Math.max(1, progress.total)} value={progress.done} />
        </div>
      ) : null}
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      <LoadError error={list.error} />
      {data && data.messages.length === 0 ? <Empty>No dead letters{offset !== undefined ? ' from this offset' : ''}.</Empty> : null}
      {data && data.messages.length > 0 ? (
        <TableWrap label="Dead letters">
          <table id="dead-letters-table">
            <thead><tr><th scope="col">Dead letter</th><th scope="col">Original topic</th><th scope="col">Original id</th><th scope="col">Reconsumed</th><th scope="col">Stored</th><th scope="col">Body</th><th scope="col">State</th>{canWrite ? <th scope="col"><span class="sr-only">Action</span></th> : null}</tr></thead>
            <tbody>
              {data.messages.map((m) => (
                <tr key={m.msgId} data-msgid={m.msgId} data-origin={m.originMsgId}>
                  <th scope="row"><a class="mono" href={href('message', m.msgId)}>{m.msgId}</a></th>
                  <td>{m.originTopic}</td>
                  <td class="mono small">{m.originMsgId ?? '—'}</td>
                  <td class="num">{m.reconsumeTimes}</td>
                  <td>{time(m.storeTimestamp)}</td>
                  <td class="mono small">{preview(m, 60)}</td>
                  <td>{m.redriven ? <span class="badge badge-consumed">re-driven</span> : <span class="badge badge-pending">dead</span>}</td>
                  {canWrite ? <td><button type="button" onClick={() => void redriveOne(m.msgId)} aria-label={`Re-drive ${m.msgId}`}>Re-drive</button></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <div class="pager">
        {offset !== undefined ? <button type="button" onClick={() => setOffset(undefined)}>First page</button> : null}
        {data && data.messages.length === PAGE ? <button type="button" onClick={() => setOffset(data.nextOffset)}>Next page</button> : null}
      </div>
    </section>
  );
}
