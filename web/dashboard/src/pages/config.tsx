/**
 * Config: every effective setting with where it came from (default, file, environment,
 * flag), as /v1/info reports it; secrets arrive masked from the server.
 */
import { useState } from 'preact/hooks';
import { request } from '../api.js';
import { Empty, LoadError, PageHeader, TableWrap } from '../components/ui.js';
import { usePoll } from '../hooks.js';
import type { ServerInfo } from '../types.js';

function show(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function ConfigPage() {
  const info = usePoll((signal) => request<ServerInfo>('/v1/info', { signal }), []);
  const [filter, setFilter] = useState('');
  const [changedOnly, setChangedOnly] = useState(false);
  const entries = Object.entries(info.data?.config ?? {})
    .filter(([k, v]) => k.toLowerCase().includes(filter.toLowerCase()) && (!changedOnly || v.source !== 'default'))
    .sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Configuration" />
      <div class="toolbar">
        <label class="field"><span>Filter</span><input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} /></label>
        <label class="check"><input type="checkbox" checked={changedOnly} onChange={(e) => setChangedOnly(e.currentTarget.checked)} /> Only values not at their default</label>
      </div>
      <LoadError error={info.error} />
      {info.data && !info.data.config ? <Empty>This server does not report its configuration.</Empty> : null}
      {entries.length > 0 ? (
        <TableWrap label="Configuration">
          <table id="config-table">
            <thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col">Source</th><th scope="col">Set by</th></tr></thead>
            <tbody>
              {entries.map(([key, v]) => (
                <tr key={key} data-source={v.source}>
                  <th scope="row" class="mono">{key}</th>
                  <td class="mono small value">{show(v.value)}</td>
                  <td><span class={`badge badge-src-${v.source}`}>{v.source}</span></td>
                  <td class="small">{v.origin ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </section>
  );
}
