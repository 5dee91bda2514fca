/**
 * Consumer groups: kind (MQTT session, STOMP durable or queue, HTTP pop, webhook ...),
 * clustering or broadcasting, members and their protocols, total lag.
 */
import { useState } from 'preact/hooks';
import { enc, request } from '../api.js';
import { Empty, LoadError, PageHeader, TableWrap } from '../components/ui.js';
import { count } from '../format.js';
import { groupKind, modelLabel } from '../group-kind.js';
import { mapLimit, usePoll } from '../hooks.js';
import { href } from '../route.js';
import type { GroupInfo, LagList } from '../types.js';

interface GroupRow {
  group: GroupInfo;
  lag: number | undefined;
}

async function loadGroups(signal: AbortSignal): Promise<GroupRow[]> {
  const { groups } = await request<{ groups: GroupInfo[] }>('/v1/groups', { signal });
  const lags = await mapLimit(groups, 4, (g) => request<LagList>(`/v1/groups/${enc(g.group)}/lag`, { signal }).then((l) => l.totalLag, () => undefined));
  return groups.map((group, i) => ({ group, lag: lags[i] }));
}

export function GroupsPage() {
  const [internal, setInternal] = useState(false);
  const [filter, setFilter] = useState('');
  const rows = usePoll(loadGroups, [], 5_000);
  const shown = (rows.data ?? []).filter((r) => (internal || !groupKind(r.group).internal) && r.group.group.toLowerCase().includes(filter.toLowerCase()));
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Consumer groups" />
      <div class="toolbar">
        <label class="field"><span>Filter</span><input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} /></label>
        <label class="check"><input type="checkbox" checked={internal} onChange={(e) => setInternal(e.currentTarget.checked)} /> Show the adapters' internal groups</label>
      </div>
      <LoadError error={rows.error} />
      {rows.data && shown.length === 0 ? <Empty>No groups.</Empty> : null}
      {shown.length > 0 ? (
        <TableWrap label="Groups">
          <table id="groups-table">
            <thead><tr><th scope="col">Group</th><th scope="col">Kind</th><th scope="col">Model</th><th scope="col">Members</th><th scope="col">Protocols</th><th scope="col">Lag</th></tr></thead>
            <tbody>
              {shown.map(({ group: g, lag }) => (
                <tr key={g.group} data-group={g.group}>
                  <th scope="row"><a href={href('groups', g.group)}>{g.group}</a></th>
                  <td>{groupKind(g).label}</td>
                  <td>{modelLabel(g.messageModel)}{g.orderly ? ', orderly' : ''}</td>
                  <td class="num">{g.members.length}</td>
                  <td>{[...new Set(g.members.map((m) => m.protocol))].join(', ') || '—'}</td>
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
