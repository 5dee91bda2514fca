/**
 * Overview: live message rates per protocol (last 15 minutes), connections per protocol,
 * store size and disk use, total backlog, uptime, version and flush mode. Refreshes itself.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { request } from '../api.js';
import { Chart, type ChartSeries } from '../components/chart.js';
import { LoadError, Notice, PageHeader, Stat, TableWrap } from '../components/ui.js';
import { bytes, count, duration, rate } from '../format.js';
import { groupKind } from '../group-kind.js';
import { mapLimit, usePoll } from '../hooks.js';
import { protocolRates, WINDOW_MS } from '../rates.js';
import type { GroupInfo, LagList, ServerInfo, StorageView } from '../types.js';

const COLORS: Record<string, string> = { mqtt: '#2563eb', stomp: '#16a34a', http: '#d97706', rocketmq: '#9333ea' };
const FALLBACK = ['#db2777', '#0891b2', '#65a30d', '#7c3aed'];

export function colorOf(protocol: string, index: number): string {
  return COLORS[protocol] ?? FALLBACK[index % FALLBACK.length]!;
}

function useProtocolRates(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => protocolRates.subscribe(() => setVersion((v) => v + 1)), []);
  return version;
}

export async function totalBacklog(signal: AbortSignal): Promise<{ total: number; groups: number }> {
  const { groups } = await request<{ groups: GroupInfo[] }>('/v1/groups', { signal });
  const visible = groups.filter((g) => !groupKind(g).internal);
  const lags = await mapLimit(visible, 4, (g) =>
    request<LagList>(`/v1/groups/${encodeURIComponent(g.group)}/lag`, { signal }).then((l) => l.totalLag, () => 0));
  return { total: lags.reduce((a, b) => a + b, 0), groups: visible.length };
}

export function OverviewPage() {
  const version = useProtocolRates();
  const info = usePoll((signal) => request<ServerInfo>('/v1/info', { signal }), [], 5_000);
  const storage = usePoll((signal) => request<StorageView>('api/storage', { signal }), [], 10_000);
  const backlog = usePoll((signal) => totalBacklog(signal), [], 10_000);
  const topics = usePoll((signal) => request<{ topics: Array<{ topic: string }> }>('/v1/topics', { signal }), [], 10_000);

  const protocols = protocolRates.protocols();
  const latest = protocolRates.latest;
  const last = protocolRates.samples[protocolRates.samples.length - 1];

  const { series, data } = useMemo(() => {
    const s: ChartSeries[] = [];
    const d: number[][] = [protocolRates.samples.map((x) => x.at / 1000)];
    protocols.forEach((p, i) => {
      s.push({ label: `${p} in`, color: colorOf(p, i) });
      d.push(protocolRates.samples.map((x) => x.in[p] ?? 0));
      s.push({ label: `${p} out`, color: colorOf(p, i), dash: [6, 4] });
      d.push(protocolRates.samples.map((x) => x.out[p] ?? 0));
    });
    return { series: s, data: d };
    // version changes on every new sample
  }, [version, protocols.join(',')]);

  const disk = storage.data?.disk;
  const usedPct = disk ? Math.round(((disk.totalBytes - disk.availableBytes) / disk.totalBytes) * 100) : undefined;
  const totalConnections = Object.values(latest?.protocols ?? {}).reduce((n, p) => n + p.connections, 0);

  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Overview" />
      <LoadError error={info.error} />
      <div class="stats" aria-label="Server">
        <Stat label="Version" value={info.data?.version ?? '—'} hint={info.data?.nodeId ? `node ${info.data.nodeId}` : undefined} />
        <Stat label="Uptime" value={duration(info.data?.uptimeMs)} />
        <Stat label="Flush mode" value={info.data?.flush ?? '—'} hint={info.data?.flush === 'sync' ? 'acknowledged after fsync' : 'flushed on an interval'} />
        <Stat label="Connections" value={count(latest ? totalConnections : undefined)} />
        <Stat id="backlog" label="Backlog" value={count(backlog.data?.total)} hint={backlog.data ? `messages not yet consumed by ${backlog.data.groups} groups` : undefined} />
        <Stat label="Topics" value={count(topics.data?.topics.filter((t) => !t.topic.startsWith('$')).length)} />
        <Stat label="Store size" value={bytes(storage.data?.storeBytes)} hint={storage.data?.files !== undefined ? `${count(storage.data.files)} files` : storage.data && !storage.data.embedded ? 'no local store (gateway node)' : undefined} />
        <Stat label="Disk use" value={usedPct === undefined ? '—' : `${usedPct}%`} hint={disk ? `${bytes(disk.availableBytes)} free of ${bytes(disk.totalBytes)}` : undefined} />
      </div>

      <h2>Messages per second, last {WINDOW_MS / 60_000} minutes</h2>
      {protocolRates.error ? <Notice kind="error">Rates unavailable: {protocolRates.error}</Notice> : null}
      <div class="chart-card" data-samples={protocolRates.samples.length} data-since={protocolRates.samples[0]?.at}>
        <Chart label="Messages in (solid) and out (dashed) per second by protocol" series={series} data={data} yLabel="msg/s" windowSeconds={WINDOW_MS / 1000} />
      </div>

      <TableWrap label="Protocols">
        <table id="protocol-rates">
          <caption>Per protocol, now</caption>
          <thead><tr><th scope="col">Protocol</th><th scope="col">Connections</th><th scope="col">In</th><th scope="col">Out</th><th scope="col">Total in</th><th scope="col">Total out</th></tr></thead>
          <tbody>
            {protocols.map((p) => {
              const stats = latest?.protocols[p];
              return (
                <tr key={p} data-protocol={p}>
                  <th scope="row">{p}</th>
                  <td class="num">{count(stats?.connections)}</td>
                  <td class="num" data-rate="in">{rate(last?.in[p])}</td>
                  <td class="num" data-rate="out">{rate(last?.out[p])}</td>
                  <td class="num" data-total="in">{count(stats?.messagesIn)}</td>
                  <td class="num">{count(stats?.messagesOut)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}
