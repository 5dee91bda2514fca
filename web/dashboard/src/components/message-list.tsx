/** A list of messages: id (links to the detail), queue/offset, tag, keys, store time, body preview. */
import { TableWrap } from './ui.js';
import { time } from '../format.js';
import { href } from '../route.js';
import type { MessageView } from '../types.js';

export function preview(m: MessageView, max = 80): string {
  const text = m.encoding === 'utf8' ? m.body : `[${Math.floor((m.body.length * 3) / 4)} bytes binary]`;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function MessageList({ label, messages }: { label: string; messages: MessageView[] }) {
  return (
    <TableWrap label={label}>
      <table class="messages-table">
        <caption>{label}</caption>
        <thead><tr><th scope="col">Message id</th><th scope="col">Topic</th><th scope="col">Queue:offset</th><th scope="col">Tag</th><th scope="col">Keys</th><th scope="col">Stored</th><th scope="col">Body</th></tr></thead>
        <tbody>
          {messages.map((m) => (
            <tr key={`${m.msgId}-${m.queueOffset}`} data-msgid={m.msgId}>
              <th scope="row"><a class="mono" href={href('message', m.msgId)}>{m.msgId}</a></th>
              <td>{m.topic}</td>
              <td class="num">{m.queueId}:{m.queueOffset}</td>
              <td>{m.tag ?? ''}</td>
              <td>{m.keys.join(', ')}</td>
              <td>{time(m.storeTimestamp)}</td>
              <td class="mono small">{preview(m)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
