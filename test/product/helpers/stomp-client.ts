/**
 * A small STOMP 1.2 client over a raw TCP socket, written from the spec and independent of
 * the server's codec: CONNECT, SEND (with receipts), SUBSCRIBE, ACK, DISCONNECT.
 * Frames: COMMAND EOL, header lines `name:value` (1.2 escaping \\ \n \r \c), a blank line,
 * the body up to NUL (or content-length bytes, then NUL); EOLs between frames are heart-beats.
 */
import { connect as netConnect, type Socket } from 'node:net';

export interface Frame {
  command: string;
  headers: Record<string, string>;
  body: Buffer;
}

const escapeHeader = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/:/g, '\\c');
const unescapeHeader = (s: string): string => s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'c' ? ':' : c));

export function encodeFrame(command: string, headers: Record<string, string>, body: Buffer | string = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const lines = [command, ...Object.entries({ ...headers, 'content-length': String(bytes.length) }).map(([k, v]) => `${escapeHeader(k)}:${escapeHeader(v)}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\n')}\n\n`, 'utf8'), bytes, Buffer.from([0])]);
}

/** Incremental decoder: feed chunks, get whole frames. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      let start = 0;
      while (start < this.buffer.length && (this.buffer[start] === 0x0a || this.buffer[start] === 0x0d)) start++;
      const headEnd = this.buffer.indexOf('\n\n', start);
      const crlfEnd = this.buffer.indexOf('\r\n\r\n', start);
      const end = headEnd >= 0 && (crlfEnd < 0 || headEnd < crlfEnd) ? headEnd : crlfEnd;
      if (end < 0) {
        this.buffer = this.buffer.subarray(start);
        return frames;
      }
      const sep = end === crlfEnd ? 4 : 2;
      const lines = this.buffer.subarray(start, end).toString('utf8').split(/\r?\n/);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        const name = unescapeHeader(line.slice(0, colon));
        if (!(name in headers)) headers[name] = unescapeHeader(line.slice(colon + 1)); // STOMP 1.2: the first one wins
      }
      const bodyStart = end + sep;
      const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
      const nul = length === undefined ? this.buffer.indexOf(0, bodyStart) : bodyStart + length;
      if (nul < 0 || nul >= this.buffer.length) {
        this.buffer = this.buffer.subarray(start);
        return frames;
      }
      frames.push({ command: lines[0]!, headers, body: Buffer.from(this.buffer.subarray(bodyStart, nul)) });
      this.buffer = this.buffer.subarray(nul + 1);
    }
  }
}

export class StompClient {
  private readonly reader = new FrameReader();
  private readonly listeners = new Set<(frame: Frame) => void>();
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) for (const l of [...this.listeners]) l(frame);
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  /** connects and waits for CONNECTED (rejects on ERROR or close) */
  static async connect(host: string, port: number, headers: Record<string, string> = {}): Promise<StompClient> {
    const socket = netConnect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const client = new StompClient(socket);
    const connected = client.next((f) => f.command === 'CONNECTED' || f.command === 'ERROR');
    socket.write(encodeFrame('CONNECT', { 'accept-version': '1.2', host: 'localhost', 'heart-beat': '0,0', ...headers }));
    const frame = await Promise.race([connected, client.closed.then(() => undefined)]);
    if (!frame || frame.command !== 'CONNECTED') {
      socket.destroy();
      throw new Error(`STOMP CONNECT failed: ${frame ? frame.headers.message : 'closed'}`);
    }
    return client;
  }

  onFrame(listener: (frame: Frame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** the next frame that matches */
  next(match: (frame: Frame) => boolean): Promise<Frame> {
    return new Promise((resolve) => {
      const off = this.onFrame((f) => {
        if (!match(f)) return;
        off();
        resolve(f);
      });
    });
  }

  write(command: string, headers: Record<string, string>, body: Buffer | string = ''): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(encodeFrame(command, headers, body));
  }

  get writable(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  destroy(): void {
    this.socket.destroy();
  }

  async disconnect(): Promise<void> {
    if (!this.socket.destroyed) {
      const receipt = this.next((f) => f.command === 'RECEIPT' && f.headers['receipt-id'] === 'bye');
      this.write('DISCONNECT', { receipt: 'bye' });
      await Promise.race([receipt, this.closed, new Promise((r) => setTimeout(r, 2_000))]);
    }
    this.socket.destroy();
    await this.closed;
  }
}
