/** A message body as text, as pretty JSON (when it parses) or as a hex dump. */
import { useMemo, useState } from 'preact/hooks';
import { bodyBytes, bytes as size, hexDump, prettyJson } from '../format.js';

type View = 'text' | 'json' | 'hex';

export function BodyView({ body, encoding, contentType }: { body: string; encoding: 'utf8' | 'base64'; contentType: string | undefined }) {
  const data = useMemo(() => bodyBytes(body, encoding), [body, encoding]);
  const json = useMemo(() => (encoding === 'utf8' ? prettyJson(body) : undefined), [body, encoding]);
  const [view, setView] = useState<View>(json !== undefined && (contentType?.includes('json') ?? true) ? 'json' : encoding === 'utf8' ? 'text' : 'hex');
  const text = view === 'json' ? json ?? '' : view === 'hex' ? hexDump(data) : encoding === 'utf8' ? body : new TextDecoder('utf-8', { fatal: false }).decode(data);
  return (
    <div class="body-view">
      <fieldset class="segmented">
        <legend>Body ({size(data.length)}) as</legend>
        <label><input type="radio" name="body-view" checked={view === 'text'} onChange={() => setView('text')} /> Text</label>
        <label><input type="radio" name="body-view" checked={view === 'json'} disabled={json === undefined} onChange={() => setView('json')} /> JSON</label>
        <label><input type="radio" name="body-view" checked={view === 'hex'} onChange={() => setView('hex')} /> Hex</label>
      </fieldset>
      <pre class="body" id="message-body" tabIndex={0} aria-label={`Message body as ${view}`}>{text}</pre>
    </div>
  );
}
