/**
 * MQTT: sessions and retained messages counts, the retained messages themselves (read
 * from the adapter's `$mqtt-retained` table topic: the latest record per MQTT topic
 * wins, a `del` record removes it), and the shared subscriptions ($share/G/filter
 * groups) with their members and lag.
 */
import { useState } from 'preact/hooks';
import { enc, request } from '../api.js';
import { preview } from '../components/message-list.js';
import { Empty, LoadError, PageHeader, Stat, TableWrap } from '../components/ui.js';
import { count, time } from '../format.js';
import { mapLimit, usePoll } from '../hooks.js';
import { metricValue, parsePrometheus } from '../prometheus.js';
import { href } from '../route.js';
import type { BrowseResult, GroupInfo, LagList, MessageView, TopicStats } from '../types.js';

export const RETAINED_TOPIC = '$mqtt-retained';
const KEY = 'mqtt.kv.key';
const OP = 'mqtt.kv.op';
const MAX_PAGES = 50;

/** the live retained message per MQTT topic */
export async function loadRetained(signal: AbortSignal): Promise<MessageView[]> {
  const stats = await request<TopicStats>(`/v1/topics/${enc(RETAINED_TOPIC)}`, { signal }).catch(() => undefined);
  if (!stats) return [];
  const latest = new Map<string, MessageView | undefined>();
  for (const q of stats.queues) {
    let offset = q.minOffset;
    for (let page = 0; page < MAX_PAGES && offset < q.maxOffset; page++) {
      const r = await request<BrowseResult>('api/browse', { signal, query: { topic: RETAINED_TOPIC, queueId: q.queueId, offset, max: 200 } });
      for (const m of r.messages) {
        const key = m.properties[KEY];
        if (key !== undefined) latest.set(key, m.properties[OP] === 'del' ? undefined : m);
      }
      if (r.nextOffset <= offset) break;
      offset = r.nextOffset;
    }
  }
  return [...latest.entries()].filter((e): e is [string, MessageView] => e[1] !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([, m]) => m);
}

async function loadShared(signal: AbortSignal): Promise<Array<{ group: GroupInfo; lag: number | undefined }>> {
  const { groups } = await request<{ groups: GroupInfo[] }>('/v1/groups', { signal });
  const shared = groups.filter((g) => g.group.startsWith('mqtt-share-'));
  const lags = await mapLimit(shared, 4, (g) => request<LagList>(`/v1/groups/${enc(g.group)}/lag`, { signal }).then((l) => l.totalLag, () => undefined));
  return shared.map((group, i) => ({ group, lag: lags[i] }));
}

export function MqttPage() {
  const [filter, setFilter] = useState('');
  const metrics = usePoll((signal) => request<string>('/metrics', { signal, text: true }).then(parsePrometheus), [], 5_000);
  const retained = usePoll(loadRetained, [], 15_000);
  const shared = usePoll(loadShared, [], 10_000);
  const m = (name: string): number | undefined => (metrics.data ? metricValue(metrics.data, name) : undefined);
  const shownRetained = (retained.data ?? []).filter((r) => (r.properties[KEY] ?? '').includes(filter));

  return (
    <section aria-labelledby="page-title">
      <PageHeader title="MQTT" />
      <div class="stats">
        <Stat label="Connections" value={count(m('rocketgate_mqtt_connections'))} />
        <Stat label="Sessions" value={count(m('rocketgate_mqtt_sessions'))} hint="connected or persistent" />
        <Stat label="Retained messages" value={count(m('rocketgate_mqtt_retained_messages'))} />
        <Stat label="Dropped" value={count(m('rocketgate_mqtt_dropped'))} hint="slow clients, full queues" />
      </div>

      <h2>Retained messages</h2>
      <p class="hint">A client clears a retained message by publishing an empty retained message to its topic.</p>
      <label class="field"><span>Filter by MQTT topic</span><input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} /></label>
      <LoadError error={retained.error} />
      {retained.data && shownRetained.length === 0 ? <Empty>No retained messages.</Empty> : null}
      {shownRetained.length > 0 ? (
        <TableWrap label="Retained messages">
          <table id="retained-table">
            <thead><tr><th scope="col">MQTT topic</th><th scope="col">Content type</th><th scope="col">Stored</th><th scope="col">Body</th></tr></thead>
            <tbody>
              {shownRetained.map((r) => (
                <tr key={r.msgId}>
                  <th scope="row"><a href={href('message', r.msgId)}>{r.properties[KEY]}</a></th>
                  <td>{r.contentType ?? '—'}</td>
                  <td>{time(r.storeTimestamp)}</td>
                  <td class="mono small">{preview(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}

      <h2>Shared subscriptions</h2>
      <LoadError error={shared.error} />
      {shared.data && shared.data.length === 0 ? <Empty>No shared subscriptions.</Empty> : null}
      {shared.data && shared.data.length > 0 ? (
        <TableWrap label="Shared subscriptions">
          <table id="shared-table">
            <thead><tr><th scope="col">Group</th><th scope="col">Members</th><th scope="col">Filters</th><th scope="col">Lag</th></tr></thead>
            <tbody>
              {shared.data.map(({ group, lag }) => (
                <tr key={group.group}>
                  <th scope="row"><a href={href('groups', group.group)}>{group.group}</a></th>
                  <td>{group.members.map((x) => x.clientId).join(', ') || '—'}</td>
                  <td class="small">{[...new Set(group.members.flatMap((x) => x.subscriptions.filter((s) => !s.topic.startsWith('%')).map((s) => `${s.topic} ${s.filter.expression}`)))].join('; ') || '—'}</td>
                  <td class="num">{count(lag)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </section>
  );
}
