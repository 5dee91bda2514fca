import { StompDecoder, type DecoderLimits } from '../../../src/adapters/stomp/decoder.js';
import { StompError, StompErrorCode } from '../../../src/adapters/stomp/errors.js';
import type { StompFrame, StompVersion } from '../../../src/adapters/stomp/frame.js';

const LIMITS: DecoderLimits = { maxFrameBytes: 1 << 20, maxHeaders: 64, maxHeaderBytes: 4096 };

function decodeChunks(chunks: (Buffer | string)[], opts: { limits?: Partial<DecoderLimits>; version?: StompVersion } = {}): StompFrame[] {
  const frames: StompFrame[] = [];
  const decoder = new StompDecoder({ ...LIMITS, ...opts.limits }, (f) => frames.push(f));
  if (opts.version) decoder.version = opts.version;
  for (const c of chunks) decoder.write(typeof c === 'string' ? Buffer.from(c, 'binary') : c);
  return frames;
}

function decodeError(chunks: (Buffer | string)[], opts: { limits?: Partial<DecoderLimits>; version?: StompVersion } = {}): StompError {
  try {
    decodeChunks(chunks, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(StompError);
    return err as StompError;
  }
  throw new Error('expected a StompError');
}

function headersOf(frame: StompFrame | undefined): Record<string, string> {
  return Object.fromEntries(frame!.headers);
}

describe('StompDecoder', () => {
  test('STOMP 1.2 §STOMP Frames: command, headers, blank line, body, NUL', () => {
    const [f] = decodeChunks(['SEND\ndestination:/queue/a\nfoo:bar\n\nhello\0']);
    expect(f!.command).toBe('SEND');
    expect(headersOf(f)).toEqual({ destination: '/queue/a', foo: 'bar' });
    expect(f!.body.toString()).toBe('hello');
  });

  test('STOMP 1.2 §STOMP Frames: frame without headers and without body', () => {
    const frames = decodeChunks(['DISCONNECT\n\n\0']);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.command).toBe('DISCONNECT');
    expect(frames[0]!.headers.size).toBe(0);
    expect(frames[0]!.body.length).toBe(0);
  });

  test('frames split at every byte are reassembled', () => {
    const raw = 'SEND\ndestination:/queue/a\ncontent-length:5\n\nab\0cd\0SEND\ndestination:/topic/b\n\nxyz\0';
    const frames = decodeChunks([...raw].map((c) => c));
    expect(frames).toHaveLength(2);
    expect(frames[0]!.body).toEqual(Buffer.from('ab\0cd', 'binary'));
    expect(frames[1]!.body.toString()).toBe('xyz');
    expect(frames[1]!.headers.get('destination')).toBe('/topic/b');
  });

  test('many frames in one chunk', () => {
    const one = 'MESSAGE\nsubscription:0\nmessage-id:1\ndestination:/queue/a\n\npayload\0';
    const frames = decodeChunks([one.repeat(100)]);
    expect(frames).toHaveLength(100);
    expect(frames.every((f) => f.body.toString() === 'payload')).toBe(true);
  });

  test('STOMP 1.2 §Header content-length: body holding NUL bytes', () => {
    const body = Buffer.from([0, 1, 0, 255, 0]);
    const head = Buffer.from(`SEND\ndestination:/queue/a\ncontent-length:${body.length}\n\n`);
    const frames = decodeChunks([Buffer.concat([head, body, Buffer.from([0]), head, body, Buffer.from([0])])]);
    expect(frames).toHaveLength(2);
    expect(frames[0]!.body).toEqual(body);
    expect(frames[1]!.body).toEqual(body);
  });

  test('STOMP 1.2 §Header content-length: content-length body split across chunks', () => {
    const body = Buffer.alloc(10000, 0);
    const head = Buffer.from(`SEND\ndestination:/queue/a\ncontent-length:${body.length}\n\n`);
    const all = Buffer.concat([head, body, Buffer.from([0])]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < all.length; i += 333) chunks.push(all.subarray(i, i + 333));
    const frames = decodeChunks(chunks);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.body).toEqual(body);
  });

  test('STOMP 1.2 §Header content-length: zero length body', () => {
    const frames = decodeChunks(['SEND\ncontent-length:0\n\n', '\0']);
    expect(frames[0]!.body.length).toBe(0);
  });

  test('STOMP 1.2 §Header content-length: the byte after the body must be NUL', () => {
    const err = decodeError(['SEND\ncontent-length:2\n\nabc\0']);
    expect(err.code).toBe(StompErrorCode.MalformedFrame);
    const split = decodeError(['SEND\ncontent-length:2\n\nab', 'c\0']);
    expect(split.code).toBe(StompErrorCode.MalformedFrame);
  });

  test('STOMP 1.2 §Header content-length: a non-numeric value is an error', () => {
    expect(decodeError(['SEND\ncontent-length:abc\n\n\0']).code).toBe(StompErrorCode.BadContentLength);
    expect(decodeError(['SEND\ncontent-length:-1\n\n\0']).code).toBe(StompErrorCode.BadContentLength);
  });

  test('STOMP 1.2 §Value Encoding: \\r \\n \\c \\\\ are decoded in 1.2', () => {
    const [f] = decodeChunks(['SEND\na\\cb:x\\ny\\rz\\\\w\\c\n\n\0']);
    expect(headersOf(f)).toEqual({ 'a:b': 'x\ny\rz\\w:' });
  });

  test('STOMP 1.2 §Value Encoding: undefined escape sequences are a fatal error', () => {
    const err = decodeError(['SEND\nfoo:a\\tb\n\n\0']);
    expect(err.code).toBe(StompErrorCode.BadEscape);
    expect(decodeError(['SEND\nfoo:trailing\\\n\n\0']).code).toBe(StompErrorCode.BadEscape);
  });

  test('STOMP 1.1 §Value Encoding: \\n \\c \\\\ decoded, \\r is undefined', () => {
    const [f] = decodeChunks(['SEND\nfoo:a\\nb\\cc\\\\\n\n\0'], { version: '1.1' });
    expect(f!.headers.get('foo')).toBe('a\nb:c\\');
    expect(decodeError(['SEND\nfoo:a\\rb\n\n\0'], { version: '1.1' }).code).toBe(StompErrorCode.BadEscape);
  });

  test('STOMP 1.0: header values are taken literally', () => {
    const [f] = decodeChunks(['SEND\nfoo:a\\nb\\t\n\n\0'], { version: '1.0' });
    expect(f!.headers.get('foo')).toBe('a\\nb\\t');
  });

  test('STOMP 1.2 §Value Encoding: CONNECT and STOMP frames are not unescaped', () => {
    const frames = decodeChunks(['CONNECT\npasscode:a\\cb\\t\n\n\0STOMP\nlogin:x\\y\n\n\0']);
    expect(frames[0]!.headers.get('passcode')).toBe('a\\cb\\t');
    expect(frames[1]!.headers.get('login')).toBe('x\\y');
  });

  test('STOMP 1.2 §STOMP Frames: CRLF and LF line ends, mixed', () => {
    const frames = decodeChunks(['SEND\r\ndestination:/queue/a\r\nfoo:bar\n\r\nbody\0', 'SEND\ndestination:/queue/b\r\n\nx\0']);
    expect(frames).toHaveLength(2);
    expect(headersOf(frames[0])).toEqual({ destination: '/queue/a', foo: 'bar' });
    expect(frames[0]!.body.toString()).toBe('body');
    expect(headersOf(frames[1])).toEqual({ destination: '/queue/b' });
  });

  test('STOMP 1.2 §STOMP Frames: CR LF split between chunks', () => {
    const frames = decodeChunks(['SEND\r', '\ndestination:/queue/a\r', '\n\r', '\nx\0']);
    expect(headersOf(frames[0])).toEqual({ destination: '/queue/a' });
  });

  test('STOMP 1.2 §Repeated Header Entries: the first value wins', () => {
    const [f] = decodeChunks(['MESSAGE\nfoo:World\nfoo:Hello\ndestination:/queue/a\n\n\0']);
    expect(f!.headers.get('foo')).toBe('World');
  });

  test('STOMP 1.2 §Repeated Header Entries: a repeated content-length does not override the first', () => {
    const [f] = decodeChunks(['SEND\ncontent-length:3\ncontent-length:1\n\na\0b\0']);
    expect(f!.body).toEqual(Buffer.from('a\0b', 'binary'));
  });

  test('STOMP 1.2 §Heart-beating: EOLs before, between and after frames are skipped', () => {
    const frames = decodeChunks(['\n\r\n\n', 'SEND\n\na\0\n\n\r\nSEND\n\nb\0', '\n', '\r\n', 'SEND\n\nc\0\n']);
    expect(frames.map((f) => f.body.toString())).toEqual(['a', 'b', 'c']);
  });

  test('header values may contain colons (split at the first)', () => {
    const [f] = decodeChunks(['SEND\nurl:http://x:80/\n\n\0'], { version: '1.0' });
    expect(f!.headers.get('url')).toBe('http://x:80/');
  });

  test('UTF-8 header values and empty values', () => {
    const [f] = decodeChunks([Buffer.from('SEND\nnäme:wert ü €\nempty:\n\n\0', 'utf8')]);
    expect(headersOf(f)).toEqual({ 'näme': 'wert ü €', empty: '' });
  });

  test('a header line without a colon is malformed', () => {
    expect(decodeError(['SEND\nnocolon\n\n\0']).code).toBe(StompErrorCode.MalformedFrame);
  });

  test('STOMP 1.2 §Size Limits: frame size, with content-length declared too large', () => {
    const err = decodeError(['SEND\ncontent-length:5000\n\n'], { limits: { maxFrameBytes: 1024 } });
    expect(err.code).toBe(StompErrorCode.FrameTooLarge);
  });

  test('STOMP 1.2 §Size Limits: frame size, NUL-terminated body growing over chunks', () => {
    const chunk = 'x'.repeat(300);
    const err = decodeError(['SEND\n\n', chunk, chunk, chunk, chunk], { limits: { maxFrameBytes: 1024 } });
    expect(err.code).toBe(StompErrorCode.FrameTooLarge);
    const inOne = decodeError([`SEND\n\n${'y'.repeat(2000)}\0`], { limits: { maxFrameBytes: 1024 } });
    expect(inOne.code).toBe(StompErrorCode.FrameTooLarge);
  });

  test('STOMP 1.2 §Size Limits: a frame of exactly the limit is accepted', () => {
    const head = 'SEND\n\n';
    const body = 'z'.repeat(1024 - head.length - 1);
    const [f] = decodeChunks([head + body + '\0'], { limits: { maxFrameBytes: 1024 } });
    expect(f!.body.length).toBe(body.length);
    expect(decodeError([head + body + 'z\0'], { limits: { maxFrameBytes: 1024 } }).code).toBe(StompErrorCode.FrameTooLarge);
  });

  test('STOMP 1.2 §Size Limits: number of headers', () => {
    const headers = Array.from({ length: 11 }, (_, i) => `h${i}:v`).join('\n');
    expect(decodeError([`SEND\n${headers}\n\n\0`], { limits: { maxHeaders: 10 } }).code).toBe(StompErrorCode.TooManyHeaders);
    expect(decodeChunks([`SEND\n${headers}\n\n\0`], { limits: { maxHeaders: 11 } })).toHaveLength(1);
  });

  test('STOMP 1.2 §Size Limits: length of a header line, complete or still arriving', () => {
    const long = `big:${'v'.repeat(200)}`;
    expect(decodeError([`SEND\n${long}\n\n\0`], { limits: { maxHeaderBytes: 100 } }).code).toBe(StompErrorCode.HeaderTooLong);
    // never terminated: refused before the line ends
    expect(decodeError([`SEND\n${long}`], { limits: { maxHeaderBytes: 100 } }).code).toBe(StompErrorCode.HeaderTooLong);
  });

  test('a command line that never ends is refused', () => {
    expect(decodeError(['X'.repeat(100)]).code).toBe(StompErrorCode.MalformedFrame);
  });

  test('after an error the decoder stays failed', () => {
    const decoder = new StompDecoder(LIMITS, () => undefined);
    expect(() => decoder.write(Buffer.from('SEND\nbad\n\n\0'))).toThrow(StompError);
    expect(() => decoder.write(Buffer.from('SEND\n\n\0'))).toThrow(StompError);
  });

  test('frames before a malformed one in the same chunk are still delivered', () => {
    const frames: StompFrame[] = [];
    const decoder = new StompDecoder(LIMITS, (f) => frames.push(f));
    expect(() => decoder.write(Buffer.from('SEND\n\nok\0SEND\nbad\n\n\0'))).toThrow(StompError);
    expect(frames.map((f) => f.body.toString())).toEqual(['ok']);
  });

  test('the version can change between frames of one chunk (set while handling CONNECT)', () => {
    const frames: StompFrame[] = [];
    const decoder = new StompDecoder(LIMITS, (f) => {
      frames.push(f);
      if (f.command === 'CONNECT') decoder.version = '1.0';
    });
    decoder.write(Buffer.from('CONNECT\naccept-version:1.0\n\n\0SEND\nfoo:a\\tb\n\n\0'));
    expect(frames[1]!.headers.get('foo')).toBe('a\\tb');
  });
});
