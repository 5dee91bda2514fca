/**
 * Cluster (GET /v1/admin/cluster): on a gateway node, the nameservers and the broker groups
 * they route to, each broker's role, address, liveness and (slaves) replication lag,
 * asked of the cluster every few seconds. An embedded server shows its single node.
 */
import { request } from '../api.js';
import { Empty, LoadError, Notice, PageHeader, Stat, TableWrap } from '../components/ui.js';
import { ago, bytes, count } from '../format.js';
import { usePoll } from '../hooks.js';
import type { ClusterView, ServerInfo } from '../types.js';

function Liveness({ alive, error }: { alive: boolean; error?: string | undefined }) {
  return alive ? <span class="badge badge-up">up</span> : <span class="badge badge-down" title={error}>down</span>;
}

function EmbeddedNode({ nodeId }: { nodeId: string }) {
  const info = usePoll((signal) => request<ServerInfo>('/v1/info', { signal }), [], 10_000);
  return (
    <>
      <Notice>
        This server runs embedded: one process holds the broker, its store and every protocol listener. Nameservers,
        broker groups and replication appear here when the node runs as a gateway in front of a cluster.
      </Notice>
      <h2>Node</h2>
      <TableWrap label="Node">
        <table id="embedded-node">
          <thead><tr><th scope="col">Node</th><th scope="col">Role</th><th scope="col">Version</th><th scope="col">Data directory</th><th scope="col">Flush</th><th scope="col">Listeners</th></tr></thead>
          <tbody>
            <tr>
              <th scope="row" class="mono">{nodeId}</th>
              <td>embedded (broker + gateway)</td>
              <td>{info.data?.version ?? '—'}</td>
              <td class="mono small">{info.data?.dataDir ?? '—'}</td>
              <td>{info.data?.flush ?? '—'}</td>
              <td class="mono small">{(info.data?.listeners ?? []).map((l) => l.url).join(' · ') || '—'}</td>
            </tr>
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

export function ClusterPage() {
  const view = usePoll((signal) => request<ClusterView>('/v1/admin/cluster', { signal }), [], 5_000);
  const cluster = view.data?.cluster;
  const brokers = cluster?.brokers ?? [];
  const groups = new Set(brokers.map((b) => b.brokerName));
  const slaves = brokers.filter((b) => b.role === 'slave');
  const maxLag = slaves.reduce<number | undefined>((m, b) => (b.replicationLagBytes === undefined ? m : Math.max(m ?? 0, b.replicationLagBytes)), undefined);
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Cluster" />
      <LoadError error={view.error} />
      {view.data && view.data.mode === 'embedded' ? <EmbeddedNode nodeId={view.data.nodeId} /> : null}
      {cluster ? (
        <>
          <div class="stats">
            <Stat label="Cluster" value={cluster.clusterName} hint={`seen from gateway ${view.data!.nodeId}`} />
            <Stat label="Nameservers up" value={`${cluster.nameservers.filter((n) => n.alive).length} / ${cluster.nameservers.length}`} />
            <Stat label="Broker groups" value={count(groups.size)} hint={`${brokers.filter((b) => b.alive).length} of ${brokers.length} brokers up`} />
            <Stat label="Replication lag" value={maxLag === undefined ? '—' : bytes(maxLag)} hint={slaves.length > 0 ? 'largest of the slaves' : 'no slaves'} />
          </div>
          <p class="hint">Checked {ago(cluster.checkedAt)}.</p>
          <h2>Nameservers</h2>
          {cluster.nameservers.length === 0 ? <Empty>None configured.</Empty> : (
            <TableWrap label="Nameservers">
              <table id="nameservers-table">
                <thead><tr><th scope="col">Address</th><th scope="col">State</th></tr></thead>
                <tbody>
                  {cluster.nameservers.map((n) => (
                    <tr key={n.address} data-address={n.address}>
                      <th scope="row" class="mono">{n.address}</th>
                      <td><Liveness alive={n.alive} error={n.error} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          <h2>Brokers</h2>
          {brokers.length === 0 ? <Empty>No broker group is registered with the nameservers.</Empty> : (
            <TableWrap label="Brokers">
              <table id="brokers-table">
                <thead><tr><th scope="col">Broker group</th><th scope="col">Id</th><th scope="col">Role</th><th scope="col">Address</th><th scope="col">State</th><th scope="col">Commit log end</th><th scope="col">Replication lag</th></tr></thead>
                <tbody>
                  {brokers.map((b) => (
                    <tr key={`${b.brokerName}/${b.brokerId}`} data-broker={`${b.brokerName}/${b.brokerId}`}>
                      <th scope="row">{b.brokerName}</th>
                      <td class="num">{b.brokerId}</td>
                      <td>{b.role}</td>
                      <td class="mono">{b.address}</td>
                      <td><Liveness alive={b.alive} error={b.error} /></td>
                      <td class="num">{b.commitLogMaxOffset === undefined ? '—' : bytes(b.commitLogMaxOffset)}</td>
                      <td class="num" data-lag>{b.role === 'master' ? '—' : b.replicationLagBytes === undefined ? 'unknown' : bytes(b.replicationLagBytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </>
      ) : null}
    </section>
  );
}
