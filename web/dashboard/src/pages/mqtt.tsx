/**
 * MQTT: sessions and retained messages counts, the retained messages themselves (from the
 * admin API: list by topic filter, clear one or all matching), and the shared
 * subscriptions ($share/G/filter groups) with their members and lag.
 */
import { enc, request } from '../api.js';
import { RetainedMessages } from '../components/retained-table.js';
import { Empty, LoadError, PageHeader, Stat, TableWrap } from '../components/ui.js';
import { count } from '../format.js';
import { mapLimit, usePoll } from '../hooks.js';
import { metricValue, parsePrometheus } from '../prometheus.js';
import { href } from '../route.js';
import { useCanWrite } from '../session.js';
import type { GroupInfo, LagList } from '../types.js';

async function loadShared(signal: AbortSignal): Promise<Array<{ group: GroupInfo; lag: number | undefined }>> {
  const { groups } = await request<{ groups: GroupInfo[] }>('/v1/groups', { signal });
  const shared = groups.filter((g) => g.group.startsWith('mqtt-share-'));
  const lags = await mapLimit(shared, 4, (g) => request<LagList>(`/v1/groups/${enc(g.group)}/lag`, { signal }).then((l) => l.totalLag, () => undefined));
  return shared.map((group, i) => ({ group, lag: lags[i] }));
}

export function MqttPage() {
  const canWrite = useCanWrite();
  const metrics = usePoll((signal) => request<string>('/metrics', { signal, text: true }).then(parsePrometheus), [], 5_000);
  const shared = usePoll(loadShared, [], 10_000);
  const m = (name: string): number | undefined => (metrics.data ? metricValue(metrics.data, name) : undefined);

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
      <p class="hint">New subscribers receive the retained message of every topic their filter matches. A client clears one by publishing an empty retained message to its topic.</p>
      <RetainedMessages canWrite={canWrite} />

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
