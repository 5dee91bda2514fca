/**
 * The byte stream under a STOMP connection: a TCP (or TLS) socket, or a WebSocket
 * (STOMP over WebSocket: each message carries frames or parts of them). Connection
 * sees only this interface, so both listeners share all protocol code.
 */
import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

export interface TransportEvents {
  data(chunk: Buffer): void;
  /** the transport can take more writes */
  drain(): void;
  close(): void;
}

export interface StompTransport {
  readonly kind: 'tcp' | 'ws';
  readonly remoteAddress: string;
  bind(events: TransportEvents): void;
  /** false: the transport is backed up; wait for `drain` */
  write(data: Buffer): boolean;
  pause(): void;
  resume(): void;
  /** flushes what was written, then closes */
  end(): void;
  destroy(): void;
}

/** bytes queued in a socket before writes report backpressure */
const TCP_HIGH_WATER = 1024 * 1024;

export function tcpTransport(socket: Socket): StompTransport {
  socket.setNoDelay(true);
  // frames written in one tick leave in one writev (MESSAGE bursts, RECEIPT runs)
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  return {
    kind: 'tcp',
    remoteAddress: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`,
    bind(events) {
      socket.on('data', events.data);
      socket.on('drain', events.drain);
      socket.on('close', events.close);
      // errors (resets, TLS alerts) end in `close`
      socket.on('error', () => undefined);
    },
    write(data) {
      if (socket.destroyed) return false;
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      socket.write(data);
      // backpressure at our mark, not the socket's 16 KiB: a burst of MESSAGEs fits
      return socket.writableLength < TCP_HIGH_WATER;
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    end: () => {
      socket.end();
    },
    destroy: () => {
      socket.destroy();
    },
  };
}

/** bytes buffered in a WebSocket before writes report backpressure */
const WS_HIGH_WATER = 1024 * 1024;

export function wsTransport(ws: WebSocket, remoteAddress: string): StompTransport {
  let events: TransportEvents | undefined;
  let backedUp = false;
  const afterSend = (): void => {
    if (backedUp && ws.bufferedAmount < WS_HIGH_WATER / 2) {
      backedUp = false;
      events?.drain();
    }
  };
  return {
    kind: 'ws',
    remoteAddress,
    bind(e) {
      events = e;
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        e.data(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
      });
      ws.on('close', e.close);
      ws.on('error', () => undefined);
    },
    write(data) {
      if (ws.readyState !== ws.OPEN) return false;
      // text frames when the bytes are UTF-8 (what browser STOMP clients expect), binary otherwise
      ws.send(data, { binary: !isUtf8(data) }, afterSend);
      if (ws.bufferedAmount >= WS_HIGH_WATER) backedUp = true;
      return !backedUp;
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    end: () => ws.close(1000),
    destroy: () => ws.terminate(),
  };
}
