/**
 * RocketMQ 4's remoting frame (NettyEncoder / NettyDecoder, RemotingCommand.encode),
 * all integers big-endian:
 *
 *   off  size  field
 *     0     4  length         bytes after this field: 4 + header length + body length
 *     4     4  headerInfo     serializeType << 24 | header length (low 24 bits)
 *     8     h  header         JSON or ROCKETMQ binary (header-codec.ts)
 *   8+h     b  body           the rest of the frame, b = length - 4 - h (may be 0)
 *
 * Decoding is incremental (FrameDecoder.push takes whatever chunks the socket gives)
 * and guarded: a length above `maxFrameBytes` (RocketMQ's frameMaxLength, 16 MiB by
 * default) or a malformed header throws a RemotingError, upon which the transport
 * closes that one connection, as NettyDecoder does.
 *
 * Encoding writes the command's own serialization (a response carries its request's);
 * a command whose code does not fit the binary header's int16 goes as JSON.
 */
import { SerializeType, type RemotingCommand } from './command.js';
import { RemotingError, RemotingErrorCode } from './errors.js';
import {
  decodeBinaryHeader, decodeJsonHeader, encodeBinaryHeader, encodeJsonHeader, fitsBinaryHeader,
} from './header-codec.js';

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
export const LENGTH_FIELD_BYTES = 4;
export const HEADER_INFO_BYTES = 4;
const HEADER_LENGTH_MASK = 0xffffff;

/** The whole frame of `cmd`, length prefix included. */
export function encodeFrame(cmd: RemotingCommand): Buffer {
  const binary = cmd.serializeType === SerializeType.RocketMQ && fitsBinaryHeader(cmd);
  const header = binary ? encodeBinaryHeader(cmd) : encodeJsonHeader(cmd);
  if (header.length > HEADER_LENGTH_MASK) throw new RemotingError(RemotingErrorCode.BadFrame, `header of ${header.length} bytes exceeds the 24-bit header length`);
  const bodyLength = cmd.body?.length ?? 0;
  const frame = Buffer.allocUnsafe(LENGTH_FIELD_BYTES + HEADER_INFO_BYTES + header.length + bodyLength);
  frame.writeInt32BE(HEADER_INFO_BYTES + header.length + bodyLength, 0);
  frame.writeUInt32BE((((binary ? SerializeType.RocketMQ : SerializeType.Json) << 24) | header.length) >>> 0, LENGTH_FIELD_BYTES);
  header.copy(frame, LENGTH_FIELD_BYTES + HEADER_INFO_BYTES);
  if (cmd.body) cmd.body.copy(frame, LENGTH_FIELD_BYTES + HEADER_INFO_BYTES + header.length);
  return frame;
}

/** Decodes one frame's content: the bytes after the length field. */
export function decodeFrameContent(content: Buffer): RemotingCommand {
  if (content.length < HEADER_INFO_BYTES) throw new RemotingError(RemotingErrorCode.BadFrame, `frame of ${content.length} bytes has no header length`);
  const info = content.readUInt32BE(0);
  const serializeType = info >>> 24;
  const headerLength = info & HEADER_LENGTH_MASK;
  if (headerLength > content.length - HEADER_INFO_BYTES) {
    throw new RemotingError(RemotingErrorCode.BadFrame, `bad header length ${headerLength} in a frame of ${content.length} bytes`);
  }
  const headerBytes = content.subarray(HEADER_INFO_BYTES, HEADER_INFO_BYTES + headerLength);
  let header;
  if (serializeType === SerializeType.Json) header = decodeJsonHeader(headerBytes);
  else if (serializeType === SerializeType.RocketMQ) header = decodeBinaryHeader(headerBytes);
  else throw new RemotingError(RemotingErrorCode.BadFrame, `unknown serialize type ${serializeType}`);
  const bodyStart = HEADER_INFO_BYTES + headerLength;
  // a copy: the frame buffer may be a slice of a larger socket chunk
  const body = content.length > bodyStart ? Buffer.from(content.subarray(bodyStart)) : undefined;
  return { ...header, body };
}

/** Decodes a whole frame, length prefix included (tests, in-process transport). */
export function decodeFrame(frame: Buffer, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): RemotingCommand {
  const decoder = new FrameDecoder(maxFrameBytes);
  const [cmd, ...rest] = decoder.push(frame);
  if (!cmd || rest.length > 0 || decoder.bufferedBytes > 0) throw new RemotingError(RemotingErrorCode.BadFrame, 'not exactly one frame');
  return cmd;
}

/**
 * Incremental decoder: keeps the chunks it was given until a whole frame is there,
 * copying each byte at most once more (no quadratic re-concatenation of big frames).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** length of the frame being gathered (after the prefix), -1 while unknown */
  private expected = -1;
  private failed = false;

  constructor(readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds a chunk, returns the commands it completed. Throws RemotingError on a bad frame. */
  push(chunk: Buffer): RemotingCommand[] {
    if (this.failed) throw new RemotingError(RemotingErrorCode.BadFrame, 'decoder failed earlier; the connection must close');
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: RemotingCommand[] = [];
    try {
      for (;;) {
        if (this.expected < 0) {
          if (this.buffered < LENGTH_FIELD_BYTES) break;
          const length = this.take(LENGTH_FIELD_BYTES).readInt32BE(0);
          if (length < HEADER_INFO_BYTES) throw new RemotingError(RemotingErrorCode.BadFrame, `bad frame length ${length}`);
          if (length > this.maxFrameBytes) {
            throw new RemotingError(RemotingErrorCode.FrameTooLarge, `frame of ${length} bytes exceeds the maximum of ${this.maxFrameBytes}`);
          }
          this.expected = length;
        }
        if (this.buffered < this.expected) break;
        const content = this.take(this.expected);
        this.expected = -1;
        out.push(decodeFrameContent(content));
      }
    } catch (err) {
      this.failed = true;
      this.chunks = [];
      this.buffered = 0;
      throw err;
    }
    return out;
  }

  /** Removes and returns the first `n` buffered bytes (n ≤ buffered). */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let result: Buffer;
    if (first.length >= n) {
      result = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      result = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const part = Math.min(c.length, n - filled);
        c.copy(result, filled, 0, part);
        filled += part;
        if (part === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(part);
      }
    }
    this.buffered -= n;
    return result;
  }
}
