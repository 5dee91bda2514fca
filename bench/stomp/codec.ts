/**
 * Codec throughput: parse and encode 1 KiB STOMP frames (MESSAGE frames with the
 * headers a broker sends and a body filling the rest of the KiB), fed to the decoder
 * in 64 KiB chunks as a socket would deliver them. Prints one JSON line per case.
 *
 *   npx tsx bench/stomp/codec.ts [--seconds 3]
 */
import { StompDecoder } from '../../src/adapters/stomp/decoder.js';
import { encodeFrame } from '../../src/adapters/stomp/encoder.js';
import { makeFrame, type StompFrame } from '../../src/adapters/stomp/frame.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 3;
const FRAME_BYTES = 1024;
const CHUNK_BYTES = 64 * 1024;

function frameOf(i: number, bodyBytes: number): StompFrame {
  return makeFrame('MESSAGE', {
    subscription: 'sub-0',
    'message-id': `0A0B0C0D00002A9F00000000${String(i).padStart(8, '0')}`,
    destination: '/queue/orders/created',
    ack: `ack-${String(i).padStart(8, '0')}`,
    'content-type': 'application/json',
    persistent: 'true',
    priority: '4',
  }, Buffer.alloc(bodyBytes, 0x61));
}

// size the body so the encoded frame is exactly 1 KiB
let bodyBytes = FRAME_BYTES;
while (encodeFrame(frameOf(0, bodyBytes)).length > FRAME_BYTES) bodyBytes--;
const frames = Array.from({ length: 4096 }, (_, i) => frameOf(i, bodyBytes));
const wire = Buffer.concat(frames.map((f) => encodeFrame(f)));
const frameBytes = wire.length / frames.length;
const chunks: Buffer[] = [];
for (let i = 0; i < wire.length; i += CHUNK_BYTES) chunks.push(wire.subarray(i, i + CHUNK_BYTES));

function run(name: string, once: () => number): void {
  // warm-up
  for (let i = 0; i < 20; i++) once();
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let bytes = 0;
  let count = 0;
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() < deadline) {
    bytes += wire.length;
    count += once();
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({
    bench: 'stomp-codec', case: name, frameBytes, chunkBytes: CHUNK_BYTES, seconds: Number(secs.toFixed(3)),
    frames: count, mbPerSec: Number((bytes / secs / 1e6).toFixed(1)), framesPerSec: Math.round(count / secs),
  }));
}

run('parse', () => {
  let n = 0;
  const decoder = new StompDecoder({ maxFrameBytes: 1 << 20, maxHeaders: 64, maxHeaderBytes: 8192 }, () => { n++; });
  for (const c of chunks) decoder.write(c);
  if (n !== frames.length) throw new Error(`parsed ${n} frames, expected ${frames.length}`);
  return n;
});

run('encode', () => {
  for (const f of frames) encodeFrame(f);
  return frames.length;
});
