/**
 * Connections: per protocol counts, the individual MQTT and STOMP clients (disconnect one),
 * who consumes as the kernel sees them (group members: MQTT sessions and subscriptions,
 * STOMP subscriptions, SSE streams), and the webhook subscriptions with their delivery
 * state (backlog, dead letters, attempts).
 */
import { enc, request } from '../api.js';
import { ClientTable } from '../components/client-table.js';
import { Empty, LoadError, PageHeader, Stat, TableWrap } from '../components/ui.js';
import { ago, count, time } from '../format.js';
import { groupKind } from '../group-kind.js';
import { mapLimit, usePoll } from '../hooks.js';
import { metricValue, parsePrometheus } from '../prometheus.js';
import { href } from '../route.js';
import { useCanWrite } from '../session.js';
import type { ConnectionInfo, GroupInfo, LagList, ProtocolStats, TopicStats, WebhookView } from '../types.js';

interface Member {
  clientId: string;
  protocol: string;
  group: GroupInfo;
  lastHeartbeat: number;
  topics: string[];
}

interface WebhookRow {
  hook: WebhookView;
  backlog: number | undefined;
  deadLetters: number | undefined;
}

async function loadWebhooks(signal: AbortSignal): Promise<WebhookRow[]> {
  const { webhooks } = await request<{ webhooks: WebhookView[] }>('/v1/webhooks', { signal });
  return mapLimit(webhooks, 4, async (hook) => {
    const [lag, dlq] = await Promise.all([
      request<LagList>(`/v1/groups/${enc(hook.group)}/lag`, { signal }).then((l) => l.totalLag, () => undefined),
      request<TopicStats>(`/v1/topics/${enc(`%DLQ%${hook.group}`)}`, { signal }).then((t) => t.messageCount, () => 0),
    ]);
    return { hook, backlog: lag, deadLetters: dlq };
  });
}

export function ConnectionsPage() {
  const protocols = usePoll((signal) => request<{ protocols: Record<string, ProtocolStats> }>('/v1/connections', { signal }), [], 5_000);
  const metrics = usePoll((signal) => request<string>('/metrics', { signal, text: true }).then(parsePrometheus), [], 5_000);
  const groups = usePoll((signal) => request<{ groups: GroupInfo[] }>('/v1/groups', { signal }), [], 5_000);
  const hooks = usePoll(loadWebhooks, [], 10_000);
  const clients = usePoll((signal) => request<{ connections: ConnectionInfo[] }>('/v1/admin/connections', { signal }), [], 3_000);
  const canWrite = useCanWrite();

  const members: Member[] = (groups.data?.groups ?? [])
    .filter((g) => !groupKind(g).internal)
    .flatMap((g) => g.members.map((m) => ({ clientId: m.clientId, protocol: m.protocol, group: g, lastHeartbeat: m.lastHeartbeat, topics: [...new Set(m.subscriptions.map((s) => s.topic).filter((t) => !t.startsWith('%')))] })));
  const sse = metrics.data ? metricValue(metrics.data, 'rocketgate_http_sse_streams') : undefined;
  const deliveries = (result: string): number | undefined => (metrics.data ? metricValue(metrics.data, 'rocketgate_webhook_deliveries_total', { result }) : undefined);

  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Connections" />
      <LoadError error={protocols.error} />
      <div class="stats">
        {Object.entries(protocols.data?.protocols ?? {}).map(([p, s]) => <Stat key={p} label={`${p} connections`} value={count(s.connections)} hint={`${count(s.messagesIn)} in · ${count(s.messagesOut)} out`} />)}
        <Stat label="SSE streams" value={count(sse)} />
        <Stat label="Webhook deliveries" value={count(deliveries('success'))} hint={`${count(deliveries('failure'))} failed attempts · ${count(deliveries('dead_letter'))} dead-lettered`} />
      </div>

      <h2>Clients</h2>
      <p class="hint">Every MQTT and STOMP connection and server-sent-event stream of this node, refreshed every few seconds.</p>
      <LoadError error={clients.error} />
      {clients.data ? <ClientTable clients={clients.data.connections} canWrite={canWrite} onChanged={clients.reload} /> : null}

      <h2>Consumers</h2>
      <p class="hint">Clients that receive messages, as members of kernel consumer groups: MQTT sessions and shared subscriptions, STOMP subscriptions, SSE streams, HTTP consumers.</p>
      <LoadError error={groups.error} />
      {groups.data && members.length === 0 ? <Empty>No consumer is connected.</Empty> : null}
      {members.length > 0 ? (
        <TableWrap label="Consumers">
          <table id="members-table">
            <thead><tr><th scope="col">Client</th><th scope="col">Protocol</th><th scope="col">Kind</th><th scope="col">Group</th><th scope="col">Topics</th><th scope="col">Last heartbeat</th></tr></thead>
            <tbody>
              {members.map((m) => (
                <tr key={`${m.group.group}/${m.clientId}`}>
                  <th scope="row" class="mono">{m.clientId}</th>
                  <td>{m.protocol}</td>
                  <td>{groupKind(m.group).label}</td>
                  <td><a href={href('groups', m.group.group)}>{m.group.group}</a></td>
                  <td>{m.topics.join(', ')}</td>
                  <td>{ago(m.lastHeartbeat)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}

      <h2>Webhook subscriptions</h2>
      <LoadError error={hooks.error} />
      {hooks.data && hooks.data.length === 0 ? <Empty>No webhook subscriptions.</Empty> : null}
      {hooks.data && hooks.data.length > 0 ? (
        <TableWrap label="Webhook subscriptions">
          <table id="webhooks-table">
            <thead><tr><th scope="col">Id</th><th scope="col">Topic</th><th scope="col">URL</th><th scope="col">Filter</th><th scope="col">Ordered</th><th scope="col">Waiting</th><th scope="col">Dead letters</th><th scope="col">Created</th></tr></thead>
            <tbody>
              {hooks.data.map(({ hook, backlog, deadLetters }) => (
                <tr key={hook.id}>
                  <th scope="row" class="mono"><a href={href('groups', hook.group)}>{hook.id}</a></th>
                  <td><a href={href('topics', hook.topic)}>{hook.topic}</a></td>
                  <td class="mono small">{hook.url}</td>
                  <td class="small">{hook.selector ?? hook.tagExpression ?? '*'}</td>
                  <td>{hook.ordered ? 'yes' : 'no'}</td>
                  <td class="num">{count(backlog)}</td>
                  <td class="num">{deadLetters ? <a href={href('dead-letters', hook.group)}>{count(deadLetters)}</a> : '0'}</td>
                  <td>{time(hook.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </section>
  );
}
