/**
 * StompFrame → bytes, with the escaping of the negotiated version
 * (STOMP 1.2 §"Value Encoding"):
 * - 1.2 escapes `\` `\r` `\n` `:` as `\\` `\r` `\n` `\c`; 1.1 the same without `\r`;
 * - 1.0 and CONNECTED frames are not escaped: a line break inside a value would end
 *   the header, so the encoder replaces CR and LF with spaces there.
 * Every frame with a body, or whose headers mention content-length, carries the
 * computed `content-length` (STOMP 1.2 §"Header content-length": SHOULD), so bodies
 * may hold NUL bytes. The frame becomes one Buffer: head, body, NUL.
 */
import type { StompFrame, StompVersion } from './frame.js';

/** one EOL: a heart-beat (STOMP 1.2 §Heart-beating) */
export const HEARTBEAT = Buffer.from('\n');

const NEEDS_ESCAPE_12 = /[\\\r\n:]/;
const NEEDS_ESCAPE_11 = /[\\\n:]/;
const LINE_BREAK = /[\r\n]/g;

function escape12(value: string): string {
  if (!NEEDS_ESCAPE_12.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/:/g, '\\c');
}

function escape11(value: string): string {
  if (!NEEDS_ESCAPE_11.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/:/g, '\\c');
}

function noEscape(value: string): string {
  return value.replace(LINE_BREAK, ' ');
}

function escaperFor(version: StompVersion, command: string): (value: string) => string {
  if (version === '1.0' || command === 'CONNECT' || command === 'STOMP' || command === 'CONNECTED') return noEscape;
  return version === '1.1' ? escape11 : escape12;
}

/** Escapes a header name for a colon-less name in unescaped frames as well. */
function nameFor(escape: (value: string) => string, name: string): string {
  const escaped = escape(name);
  return escape === noEscape ? escaped.replace(/:/g, '_') : escaped;
}

export function encodeFrame(frame: StompFrame, version: StompVersion = '1.2'): Buffer {
  const escape = escaperFor(version, frame.command);
  const body = frame.body;
  let head = frame.command + '\n';
  let mentionsLength = false;
  for (const [name, value] of frame.headers) {
    if (name === 'content-length') {
      mentionsLength = true;
      continue;
    }
    head += nameFor(escape, name) + ':' + escape(value) + '\n';
  }
  if (body.length > 0 || mentionsLength) head += 'content-length:' + body.length + '\n';
  head += '\n';
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + body.length + 1);
  out.write(head, 0, 'utf8');
  body.copy(out, headBytes);
  out[headBytes + body.length] = 0;
  return out;
}
