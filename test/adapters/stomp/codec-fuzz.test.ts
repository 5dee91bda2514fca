import { StompDecoder } from '../../../src/adapters/stomp/decoder.js';
import { encodeFrame } from '../../../src/adapters/stomp/encoder.js';
import { StompError } from '../../../src/adapters/stomp/errors.js';
import type { StompFrame, StompVersion } from '../../../src/adapters/stomp/frame.js';

/** small deterministic PRNG (mulberry32) so failures reproduce */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LIMITS = { maxFrameBytes: 1 << 20, maxHeaders: 1000, maxHeaderBytes: 1 << 16 };
const ALPHABET = 'abcXYZ09-_.:\\\n\r/ ü€';

function randomString(r: () => number, max: number, alphabet: string): string {
  const n = Math.floor(r() * max);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

function randomFrame(r: () => number, version: StompVersion): StompFrame {
  const headers = new Map<string, string>();
  const alphabet = version === '1.1' ? ALPHABET.replace('\r', '') : ALPHABET;
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const name = 'h' + randomString(r, 8, alphabet);
    if (!headers.has(name)) headers.set(name, randomString(r, 20, alphabet));
  }
  const body = Buffer.alloc(Math.floor(r() * 300));
  for (let i = 0; i < body.length; i++) body[i] = Math.floor(r() * 256);
  return { command: r() < 0.5 ? 'SEND' : 'MESSAGE', headers, body };
}

function splitRandomly(r: () => number, all: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < all.length) {
    const size = 1 + Math.floor(r() * (r() < 0.3 ? 4 : 700));
    chunks.push(all.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('STOMP codec fuzz', () => {
  test.each(['1.1', '1.2'] as const)('STOMP %s §Value Encoding: encode → random split → decode round-trips', (version) => {
    const r = rng(version === '1.1' ? 11 : 12);
    for (let round = 0; round < 50; round++) {
      const frames = Array.from({ length: 1 + Math.floor(r() * 20) }, () => randomFrame(r, version));
      const wire = Buffer.concat(frames.flatMap((f) => [encodeFrame(f, version), Buffer.from(r() < 0.3 ? '\r\n' : '')]));
      const decoded: StompFrame[] = [];
      const decoder = new StompDecoder(LIMITS, (f) => decoded.push(f));
      decoder.version = version;
      for (const c of splitRandomly(r, wire)) decoder.write(c);
      expect(decoded).toHaveLength(frames.length);
      decoded.forEach((got, i) => {
        const want = frames[i]!;
        expect(got.command).toBe(want.command);
        expect(got.body.equals(want.body)).toBe(true);
        const gotHeaders = Object.fromEntries(got.headers);
        delete gotHeaders['content-length'];
        expect(gotHeaders).toEqual(Object.fromEntries(want.headers));
      });
      expect(decoder.buffered).toBe(0);
    }
  });

  test('random bytes never throw anything but a StompError', () => {
    const r = rng(7);
    let errors = 0;
    let frames = 0;
    for (let round = 0; round < 2000; round++) {
      const bytes = Buffer.alloc(1 + Math.floor(r() * 400));
      // bias toward structural bytes so the parser gets deep
      const structural = [0x0a, 0x0d, 0x00, 0x3a, 0x5c, 0x41];
      for (let i = 0; i < bytes.length; i++) {
        bytes[i] = r() < 0.4 ? structural[Math.floor(r() * structural.length)]! : Math.floor(r() * 256);
      }
      const decoder = new StompDecoder({ maxFrameBytes: 300, maxHeaders: 8, maxHeaderBytes: 64 }, () => frames++);
      decoder.version = (['1.0', '1.1', '1.2'] as const)[round % 3]!;
      try {
        for (const c of splitRandomly(r, bytes)) decoder.write(c);
      } catch (err) {
        expect(err).toBeInstanceOf(StompError);
        errors++;
      }
    }
    // both outcomes occur: the corpus reaches the frame emitter and the error paths
    expect(errors).toBeGreaterThan(100);
    expect(frames).toBeGreaterThan(100);
  });

  test('mutated valid frames never throw anything but a StompError', () => {
    const r = rng(99);
    for (let round = 0; round < 1000; round++) {
      const wire = Buffer.from(encodeFrame(randomFrame(r, '1.2'), '1.2'));
      for (let k = 0; k < 3; k++) wire[Math.floor(r() * wire.length)] = Math.floor(r() * 256);
      const decoder = new StompDecoder(LIMITS, () => undefined);
      try {
        for (const c of splitRandomly(r, wire)) decoder.write(c);
      } catch (err) {
        expect(err).toBeInstanceOf(StompError);
      }
    }
  });
});
