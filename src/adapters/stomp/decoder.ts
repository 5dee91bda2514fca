/**
 * Incremental STOMP frame parser.
 *
 * Bytes arrive in arbitrary chunks (many frames in one, one frame across many).
 * The parser scans Buffers with indexOf and builds strings only for the command and
 * header names and values, so a chunk full of 1 KiB frames costs a few native scans
 * per frame (see bench/stomp/codec.ts).
 *
 * Rules enforced (STOMP 1.2 §"STOMP Frames" unless noted):
 * - EOL is LF or CR LF; EOLs between frames are heart-beats and are skipped
 *   (§"Heart-beating").
 * - header lines split at the first `:`; repeated headers: the first wins
 *   (§"Repeated Header Entries").
 * - escaping (§"Value Encoding"): 1.2 decodes \r \n \c \\; 1.1 decodes \n \c \\; any
 *   other escape is a fatal error. CONNECT, STOMP and CONNECTED frames and all of
 *   STOMP 1.0 are not escaped.
 * - a `content-length` header gives the body size, bodies may then hold NULs; the
 *   byte after the body must be NUL. Without it the body ends at the first NUL.
 * - limits (§"Size Limits"): frame bytes, header count, bytes per header line.
 *   Breaking one throws a StompError; the connection answers ERROR and closes.
 *
 * Bodies are zero-copy `subarray`s of the received chunk when a frame lies within one
 * chunk, and one concatenated Buffer otherwise.
 */
import { StompError, StompErrorCode } from './errors.js';
import type { StompFrame, StompVersion } from './frame.js';

export interface DecoderLimits {
  /** whole frame: command, headers, body and NUL */
  maxFrameBytes: number;
  maxHeaders: number;
  /** one header line (name, colon, value), before unescaping */
  maxHeaderBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const NO_CONTENT_LENGTH = -1;
/** the longest command (UNSUBSCRIBE, DISCONNECT ...) is 11 bytes; leave room for a CR */
const MAX_COMMAND_BYTES = 32;

/** CONNECT/STOMP/CONNECTED are never escaped (STOMP 1.2 §"Value Encoding"). */
function escapingOf(version: StompVersion, command: string): 0 | 11 | 12 {
  if (version === '1.0' || command === 'CONNECT' || command === 'STOMP' || command === 'CONNECTED') return 0;
  return version === '1.1' ? 11 : 12;
}

function unescape(raw: string, mode: 11 | 12): string {
  let out = '';
  let from = 0;
  let at = raw.indexOf('\\');
  while (at >= 0) {
    out += raw.slice(from, at);
    const next = raw.charAt(at + 1);
    if (next === 'n') out += '\n';
    else if (next === 'c') out += ':';
    else if (next === '\\') out += '\\';
    else if (next === 'r' && mode === 12) out += '\r';
    // STOMP 1.2 §"Value Encoding": undefined escape sequences MUST be a fatal protocol error
    else throw new StompError(StompErrorCode.BadEscape, 'undefined escape sequence in header',
      `"\\${next}" is not defined in STOMP ${mode === 12 ? '1.2' : '1.1'}`);
    from = at + 2;
    at = raw.indexOf('\\', from);
  }
  return out + raw.slice(from);
}

export class StompDecoder {
  /** escaping follows the negotiated version; the connection sets it on CONNECT */
  version: StompVersion = '1.2';
  private readonly limits: DecoderLimits;
  private readonly onFrame: (frame: StompFrame) => void;
  /** unconsumed bytes of an incomplete head (command + headers) */
  private pendingHead: Buffer | undefined;
  // body state: the head is parsed, body bytes still arriving
  private inBody = false;
  private command = '';
  private headers = new Map<string, string>();
  private contentLength = NO_CONTENT_LENGTH;
  private headBytes = 0;
  private bodyChunks: Buffer[] = [];
  private bodyCollected = 0;
  private failed: StompError | undefined;

  constructor(limits: DecoderLimits, onFrame: (frame: StompFrame) => void) {
    this.limits = limits;
    this.onFrame = onFrame;
  }

  /** Parses `chunk`, calling onFrame for every complete frame; throws StompError on bad input. */
  write(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    try {
      this.parse(chunk);
    } catch (err) {
      this.failed = err instanceof StompError ? err : new StompError(StompErrorCode.MalformedFrame, String(err));
      throw this.failed;
    }
  }

  /** bytes held for an incomplete frame */
  get buffered(): number {
    return (this.pendingHead?.length ?? 0) + this.bodyCollected;
  }

  private parse(chunk: Buffer): void {
    let buf = chunk;
    let pos = 0;
    if (this.inBody) {
      pos = this.continueBody(chunk);
      if (pos < 0) return;
    } else if (this.pendingHead) {
      buf = Buffer.concat([this.pendingHead, chunk]);
      this.pendingHead = undefined;
    }
    const len = buf.length;
    while (pos < len) {
      // heart-beats: EOLs between frames (STOMP 1.2 §Heart-beating)
      let b = buf[pos];
      while (b === LF || b === CR) b = buf[++pos];
      if (pos >= len) return;
      const next = this.parseFrame(buf, pos);
      if (next < 0) return;
      pos = next;
    }
  }

  /** Parses one frame starting at `start`; returns the offset after it, or -1 when more bytes are needed. */
  private parseFrame(buf: Buffer, start: number): number {
    const len = buf.length;
    const { maxHeaders, maxHeaderBytes, maxFrameBytes } = this.limits;
    // command line
    let lf = buf.indexOf(LF, start);
    if (lf < 0) {
      if (len - start > MAX_COMMAND_BYTES) throw new StompError(StompErrorCode.MalformedFrame, 'command line too long');
      this.pendingHead = buf.subarray(start);
      return -1;
    }
    let end = lf > start && buf[lf - 1] === CR ? lf - 1 : lf;
    if (end - start > MAX_COMMAND_BYTES) throw new StompError(StompErrorCode.MalformedFrame, 'command line too long');
    const command = buf.toString('latin1', start, end);
    const escaping = escapingOf(this.version, command);
    // find the blank line, enforcing the header limits on bytes
    const headersStart = lf + 1;
    let count = 0;
    let lineStart = headersStart;
    for (;;) {
      lf = buf.indexOf(LF, lineStart);
      if (lf < 0) {
        if (len - lineStart > maxHeaderBytes) {
          throw new StompError(StompErrorCode.HeaderTooLong, 'header line too long', `limit ${maxHeaderBytes} bytes`);
        }
        if (len - start > maxFrameBytes) throw this.tooLarge();
        this.pendingHead = buf.subarray(start);
        return -1;
      }
      end = lf > lineStart && buf[lf - 1] === CR ? lf - 1 : lf;
      if (end === lineStart) break;
      if (end - lineStart > maxHeaderBytes) {
        throw new StompError(StompErrorCode.HeaderTooLong, 'header line too long', `limit ${maxHeaderBytes} bytes`);
      }
      if (++count > maxHeaders) {
        throw new StompError(StompErrorCode.TooManyHeaders, 'too many headers', `limit ${maxHeaders} headers`);
      }
      lineStart = lf + 1;
    }
    // one string for all header lines, then string slicing (cheaper than a toString per line)
    const headers = new Map<string, string>();
    let contentLength = NO_CONTENT_LENGTH;
    if (count > 0) {
      const text = buf.toString('utf8', headersStart, lineStart);
      let at = 0;
      for (let i = 0; i < count; i++) {
        const eol = text.indexOf('\n', at);
        const lineEnd = text.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
        const colon = text.indexOf(':', at);
        if (colon < 0 || colon >= lineEnd) {
          throw new StompError(StompErrorCode.MalformedFrame, 'header line without a colon',
            JSON.stringify(text.slice(at, Math.min(lineEnd, at + 64))));
        }
        let name = text.slice(at, colon);
        let value = text.slice(colon + 1, lineEnd);
        if (escaping !== 0) {
          if (name.includes('\\')) name = unescape(name, escaping);
          if (value.includes('\\')) value = unescape(value, escaping);
        }
        // STOMP 1.2 §"Repeated Header Entries": only the first header entry is used
        if (!headers.has(name)) {
          headers.set(name, value);
          if (name === 'content-length') contentLength = parseContentLength(value);
        }
        at = eol + 1;
      }
    }
    const bodyStart = lf + 1;
    const headBytes = bodyStart - start;
    if (contentLength !== NO_CONTENT_LENGTH && headBytes + contentLength + 1 > maxFrameBytes) throw this.tooLarge();
    if (contentLength !== NO_CONTENT_LENGTH) {
      const nulAt = bodyStart + contentLength;
      if (nulAt < len) {
        if (buf[nulAt] !== NUL) throw missingNul();
        this.emit(command, headers, buf.subarray(bodyStart, nulAt));
        return nulAt + 1;
      }
    } else {
      const nulAt = buf.indexOf(NUL, bodyStart);
      if (nulAt >= 0) {
        if (headBytes + (nulAt - bodyStart) + 1 > maxFrameBytes) throw this.tooLarge();
        this.emit(command, headers, buf.subarray(bodyStart, nulAt));
        return nulAt + 1;
      }
      if (headBytes + (len - bodyStart) > maxFrameBytes) throw this.tooLarge();
    }
    // the body continues in later chunks
    this.inBody = true;
    this.command = command;
    this.headers = headers;
    this.contentLength = contentLength;
    this.headBytes = headBytes;
    this.bodyChunks = bodyStart < len ? [buf.subarray(bodyStart)] : [];
    this.bodyCollected = len - bodyStart;
    return -1;
  }

  /** Feeds `chunk` to the body being collected; returns the offset after its NUL, or -1 when still incomplete. */
  private continueBody(chunk: Buffer): number {
    if (this.contentLength !== NO_CONTENT_LENGTH) {
      const need = this.contentLength + 1 - this.bodyCollected;
      if (chunk.length < need) {
        this.bodyChunks.push(chunk);
        this.bodyCollected += chunk.length;
        return -1;
      }
      if (chunk[need - 1] !== NUL) throw missingNul();
      this.bodyChunks.push(chunk.subarray(0, need - 1));
      this.finishBody();
      return need;
    }
    const nulAt = chunk.indexOf(NUL);
    const bodyPart = nulAt < 0 ? chunk.length : nulAt;
    if (this.headBytes + this.bodyCollected + bodyPart + (nulAt < 0 ? 0 : 1) > this.limits.maxFrameBytes) {
      throw this.tooLarge();
    }
    if (nulAt < 0) {
      this.bodyChunks.push(chunk);
      this.bodyCollected += chunk.length;
      return -1;
    }
    this.bodyChunks.push(chunk.subarray(0, nulAt));
    this.finishBody();
    return nulAt + 1;
  }

  private finishBody(): void {
    const chunks = this.bodyChunks;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const { command, headers } = this;
    this.inBody = false;
    this.bodyChunks = [];
    this.bodyCollected = 0;
    this.headers = new Map();
    this.emit(command, headers, body);
  }

  private emit(command: string, headers: Map<string, string>, body: Buffer): void {
    this.onFrame({ command, headers, body });
  }

  private tooLarge(): StompError {
    return new StompError(StompErrorCode.FrameTooLarge, 'frame too large', `limit ${this.limits.maxFrameBytes} bytes`);
  }
}

function missingNul(): StompError {
  return new StompError(StompErrorCode.MalformedFrame, 'frame not terminated by NUL',
    'the byte after content-length body bytes must be NUL');
}

function parseContentLength(value: string): number {
  if (!/^\d{1,15}$/.test(value)) {
    throw new StompError(StompErrorCode.BadContentLength, 'invalid content-length', JSON.stringify(value.slice(0, 32)));
  }
  return Number(value);
}
