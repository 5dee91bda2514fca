import { encodeFrame } from '../../../src/adapters/stomp/encoder.js';
import { makeFrame } from '../../../src/adapters/stomp/frame.js';

const text = (b: Buffer): string => b.toString('binary');

describe('encodeFrame', () => {
  test('STOMP 1.2 §STOMP Frames: head, blank line, body, NUL with content-length', () => {
    const out = encodeFrame(makeFrame('MESSAGE', { destination: '/queue/a', 'message-id': '1' }, 'hi'));
    expect(text(out)).toBe('MESSAGE\ndestination:/queue/a\nmessage-id:1\ncontent-length:2\n\nhi\0');
  });

  test('STOMP 1.2 §Header content-length: computed, never copied from the headers', () => {
    const out = encodeFrame(makeFrame('MESSAGE', { 'content-length': '99' }, Buffer.from([0, 0])));
    expect(text(out)).toBe('MESSAGE\ncontent-length:2\n\n\0\0\0');
  });

  test('frames without a body carry no content-length', () => {
    expect(text(encodeFrame(makeFrame('RECEIPT', { 'receipt-id': '7' })))).toBe('RECEIPT\nreceipt-id:7\n\n\0');
  });

  test('STOMP 1.2 §Value Encoding: escapes \\ CR LF and colon', () => {
    const out = encodeFrame(makeFrame('MESSAGE', { 'a:b': 'x\\y\r\nz:' }), '1.2');
    expect(text(out)).toBe('MESSAGE\na\\cb:x\\\\y\\r\\nz\\c\n\n\0');
  });

  test('STOMP 1.1 §Value Encoding: no \\r escape', () => {
    const out = encodeFrame(makeFrame('MESSAGE', { a: 'x\ny:' }), '1.1');
    expect(text(out)).toBe('MESSAGE\na:x\\ny\\c\n\n\0');
  });

  test('STOMP 1.2 §Value Encoding: CONNECTED is not escaped; line breaks are replaced', () => {
    const out = encodeFrame(makeFrame('CONNECTED', { version: '1.2', server: 'a:b\nc' }), '1.2');
    expect(text(out)).toBe('CONNECTED\nversion:1.2\nserver:a:b c\n\n\0');
  });

  test('STOMP 1.0: values are written literally, line breaks replaced', () => {
    const out = encodeFrame(makeFrame('MESSAGE', { a: 'x\\y:z\r\nw' }), '1.0');
    expect(text(out)).toBe('MESSAGE\na:x\\y:z  w\n\n\0');
  });

  test('UTF-8 headers and binary bodies are written byte-exact', () => {
    const body = Buffer.from([0xff, 0x00, 0x80]);
    const out = encodeFrame(makeFrame('SEND', { 'ü': '€' }, body));
    const head = Buffer.from('SEND\nü:€\ncontent-length:3\n\n', 'utf8');
    expect(out.equals(Buffer.concat([head, body, Buffer.from([0])]))).toBe(true);
  });
});
