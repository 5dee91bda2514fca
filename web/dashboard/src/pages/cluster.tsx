/**
 * Cluster: nameservers, broker groups, master/slave roles and replication lag when the
 * node runs in a cluster (reported under `cluster` by /v1/info); until then, the server
 * runs embedded and the page says so.
 */
import { request } from '../api.js';
import { Empty, LoadError, Notice, PageHeader, TableWrap } from '../components/ui.js';
import { bytes } from '../format.js';
import { usePoll } from '../hooks.js';
import type { ServerInfo } from '../types.js';

export function ClusterPage() {
  const info = usePoll((signal) => request<ServerInfo>('/v1/info', { signal }), [], 10_000);
  const cluster = info.data?.cluster;
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Cluster" />
      <LoadError error={info.error} />
      {info.data && !cluster ? (
        <Notice>
          This server runs embedded: one process holds the broker, its store and every protocol listener
          {info.data.nodeId ? <> (node <strong>{info.data.nodeId}</strong>)</> : null}. Nameservers, broker groups and replication appear here when it runs as part of a cluster.
        </Notice>
      ) : null}
      {cluster ? (
        <>
          <h2>Nameservers</h2>
          {(cluster.nameservers ?? []).length === 0 ? <Empty>None reported.</Empty> : <ul>{cluster.nameservers!.map((n) => <li key={n} class="mono">{n}</li>)}</ul>}
          <h2>Brokers</h2>
          {(cluster.brokers ?? []).length === 0 ? <Empty>None reported.</Empty> : (
            <TableWrap label="Brokers">
              <table>
                <thead><tr><th scope="col">Broker group</th><th scope="col">Cluster</th><th scope="col">Id</th><th scope="col">Role</th><th scope="col">Address</th><th scope="col">Replication lag</th></tr></thead>
                <tbody>
                  {cluster.brokers!.map((b) => (
                    <tr key={`${b.brokerName}/${b.brokerId}`}>
                      <th scope="row">{b.brokerName}</th>
                      <td>{b.cluster ?? '—'}</td>
                      <td class="num">{b.brokerId}</td>
                      <td>{b.role ?? (b.brokerId === 0 ? 'master' : 'slave')}</td>
                      <td class="mono">{b.address}</td>
                      <td class="num">{b.brokerId === 0 ? '—' : bytes(b.replicationLagBytes)}</td>
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
