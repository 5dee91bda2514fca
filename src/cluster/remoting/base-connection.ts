/**
 * What every Connection implementation shares: listener lists, the once-only close,
 * and frame decoding with its guard (a bad frame closes this connection only).
 */
import type { RemotingCommand } from './command.js';
import { FrameDecoder, encodeFrame } from './frame-codec.js';
import type { Connection } from './transport.js';

let nextId = 0;

export abstract class BaseConnection implements Connection {
  readonly id: string;
  private readonly commandListeners: Array<(cmd: RemotingCommand) => void> = [];
  private readonly closeListeners: Array<(reason?: Error) => void> = [];
  private readonly decoder: FrameDecoder;
  private isClosed = false;

  protected constructor(kind: string, readonly remoteAddress: string, readonly localAddress: string, maxFrameBytes: number) {
    this.id = `${kind}-${++nextId}`;
    this.decoder = new FrameDecoder(maxFrameBytes);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  send(cmd: RemotingCommand): boolean {
    if (this.isClosed) return false;
    this.write(encodeFrame(cmd));
    return true;
  }

  close(reason?: Error): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.shutdown();
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }

  onCommand(listener: (cmd: RemotingCommand) => void): void {
    this.commandListeners.push(listener);
  }

  onClose(listener: (reason?: Error) => void): void {
    if (this.isClosed) queueMicrotask(() => listener());
    else this.closeListeners.push(listener);
  }

  /** feeds received bytes; a framing error closes the connection with that error */
  protected receive(chunk: Buffer): void {
    if (this.isClosed) return;
    let commands: RemotingCommand[];
    try {
      commands = this.decoder.push(chunk);
    } catch (err) {
      this.close(err as Error);
      return;
    }
    for (const cmd of commands) {
      if (this.isClosed) return;
      try {
        for (const listener of this.commandListeners) listener(cmd);
      } catch (err) {
        // a handler that throws on this peer's command costs this connection only
        this.close(err as Error);
        return;
      }
    }
  }

  /** hands an encoded frame to the medium */
  protected abstract write(frame: Buffer): void;
  /** releases the medium; called once */
  protected abstract shutdown(): void;
}
