/**
 * A STOMP 1.2 client over raw TCP with the adapter's own codec (src/adapters/stomp
 * encoder and decoder): CONNECT, requests answered by RECEIPT, MESSAGE frames routed
 * to their subscription by the `subscription` header, ERROR frames failing what waits.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { StompDecoder } from '../../../src/adapters/stomp/decoder.js';
import { encodeFrame } from '../../../src/adapters/stomp/encoder.js';
import { makeFrame, type StompFrame } from '../../../src/adapters/stomp/frame.js';

type Headers = Record<string, string | number | undefined>;

const REQUEST_TIMEOUT_MS = 10_000;

export class StompConnection {
  private readonly decoder: StompDecoder;
  private readonly pending = new Map<string, { resolve: () => void; reject: (err: Error) => void }>();
  private readonly handlers = new Map<string, (frame: StompFrame) => void>();
  private connected: { resolve: (frame: StompFrame) => void; reject: (err: Error) => void } | undefined;
  private receipts = 0;
  private closedError: Error | undefined;
  private closing = false;
  /** ERROR frames that named no receipt, and a connection that went away */
  onError: (text: string) => void = () => undefined;

  private constructor(private readonly socket: Socket) {
    this.decoder = new StompDecoder({ maxFrameBytes: 1 << 30, maxHeaders: 1 << 16, maxHeaderBytes: 1 << 20 }, (frame) => this.onFrame(frame));
    socket.on('data', (chunk) => {
      try {
        this.decoder.write(chunk);
      } catch (err) {
        this.fail(new Error(`undecodable bytes from the server: ${(err as Error).message}`));
      }
    });
    socket.on('close', () => this.fail(new Error('STOMP connection closed')));
    socket.on('error', (err) => this.fail(err));
  }

  static async open(port: number, login: Headers = {}): Promise<StompConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    const connection = new StompConnection(socket);
    const connected = new Promise<StompFrame>((resolve, reject) => (connection.connected = { resolve, reject }));
    connection.write(makeFrame('CONNECT', { 'accept-version': '1.2', host: 'localhost', 'heart-beat': '0,0', ...login }));
    const frame = await connected;
    if (frame.headers.get('version') !== '1.2') throw new Error(`expected STOMP 1.2, got ${frame.headers.get('version')}`);
    return connection;
  }

  /** sends `command` with a receipt header; resolves on its RECEIPT, rejects on ERROR */
  request(command: string, headers: Headers = {}, body: Buffer | string = ''): Promise<void> {
    const receipt = `rcpt-${++this.receipts}`;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(receipt);
        reject(new Error(`no RECEIPT for ${command} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(receipt, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
    });
    this.send(command, { ...headers, receipt }, body);
    return done;
  }

  /** sends without waiting for anything */
  send(command: string, headers: Headers = {}, body: Buffer | string = ''): void {
    if (this.closedError) throw this.closedError;
    this.write(makeFrame(command, headers, body));
  }

  /** MESSAGE frames of subscription `id` go to `handler` */
  onMessages(id: string, handler: (frame: StompFrame) => void): void {
    this.handlers.set(id, handler);
  }

  async disconnect(): Promise<void> {
    if (this.closedError) return;
    this.closing = true;
    await this.request('DISCONNECT').catch(() => undefined);
    this.socket.end();
    this.socket.destroy();
  }

  private write(frame: StompFrame): void {
    this.socket.write(encodeFrame(frame, '1.2'));
  }

  private onFrame(frame: StompFrame): void {
    switch (frame.command) {
      case 'CONNECTED':
        this.connected?.resolve(frame);
        this.connected = undefined;
        return;
      case 'RECEIPT': {
        const id = frame.headers.get('receipt-id') ?? '';
        this.pending.get(id)?.resolve();
        this.pending.delete(id);
        return;
      }
      case 'MESSAGE':
        this.handlers.get(frame.headers.get('subscription') ?? '')?.(frame);
        return;
      case 'ERROR': {
        const text = `ERROR ${frame.headers.get('message') ?? ''}: ${frame.body.toString('utf8').slice(0, 300)}`;
        const id = frame.headers.get('receipt-id');
        const waiter = id === undefined ? undefined : this.pending.get(id);
        if (waiter) {
          this.pending.delete(id!);
          waiter.reject(new Error(text));
        } else {
          this.onError(text);
          this.connected?.reject(new Error(text));
        }
        return;
      }
      default:
        this.onError(`unexpected ${frame.command} frame`);
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    if (!this.closing) this.onError(err.message);
    this.connected?.reject(err);
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}
