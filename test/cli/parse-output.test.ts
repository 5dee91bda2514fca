/**
 * The admin commands' parsers, tables and progress output, without a server.
 */
import { UsageError } from '../../src/cli/errors.js';
import type { AdminIo } from '../../src/cli/io.js';
import { preview, renderFields, renderTable } from '../../src/cli/output.js';
import { EARLIEST, LATEST, parseCount, parseDuration, parseProperties, parseServer, parseTime } from '../../src/cli/parse.js';
import { createProgress } from '../../src/cli/progress.js';

function io(tty: boolean): AdminIo & { err: string } {
  const out = {
    err: '', env: {}, stderrIsTTY: tty,
    stdout: () => undefined,
    stderr: (t: string) => { out.err += t; },
    exit: () => undefined,
    readPassword: async () => '',
    readStdin: async () => Buffer.alloc(0),
  };
  return out;
}

describe('parsers', () => {
  test('durations: units, bare seconds, rejects words', () => {
    expect(parseDuration('--wait', '500ms')).toBe(500);
    expect(parseDuration('--wait', '5s')).toBe(5000);
    expect(parseDuration('--wait', '2m')).toBe(120_000);
    expect(parseDuration('--wait', '1.5h')).toBe(5_400_000);
    expect(parseDuration('--wait', '3')).toBe(3000);
    expect(parseDuration('--wait', '0')).toBe(0);
    expect(() => parseDuration('--wait', 'soon')).toThrow(new UsageError('--wait: expected a duration such as 500ms, 5s, 2m, 1h (a bare number is seconds), got "soon"'));
  });

  test('points in time: names, ages, ISO, epoch ms', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(parseTime('--to', 'earliest', now)).toBe(EARLIEST);
    expect(parseTime('--to', 'latest', now)).toBe(LATEST);
    expect(parseTime('--to', 'now', now)).toBe(now);
    expect(parseTime('--to', '-10m', now)).toBe(now - 600_000);
    expect(parseTime('--to', '2h ago', now)).toBe(now - 7_200_000);
    expect(parseTime('--to', '2025-01-31T00:00:00Z', now)).toBe(Date.parse('2025-01-31T00:00:00Z'));
    expect(parseTime('--to', '1700000000000', now)).toBe(1_700_000_000_000);
    expect(() => parseTime('--to', 'tomorrow', now)).toThrow(UsageError);
    expect(() => parseTime('--to', '2025-13-45T00:00:00Z', now)).toThrow(UsageError);
  });

  test('counts, properties and server URLs', () => {
    expect(parseCount('--max', '10', 1, 100)).toBe(10);
    expect(() => parseCount('--max', '0', 1, 100)).toThrow('--max: expected a whole number from 1 to 100, got "0"');
    expect(() => parseCount('--max', '1e3', 1, 10_000)).toThrow(UsageError);
    expect(parseProperties('--property', ['a=b', 'c=d=e', 'empty='])).toEqual({ a: 'b', c: 'd=e', empty: '' });
    expect(() => parseProperties('--property', ['=x'])).toThrow('--property: expected name=value, got "=x"');
    expect(parseServer('--server', 'localhost:8080')).toBe('http://localhost:8080');
    expect(parseServer('--server', 'https://gw.example.com/base/')).toBe('https://gw.example.com/base');
    expect(() => parseServer('--server', 'mqtt://localhost:1883')).toThrow('must be an http:// or https:// URL');
  });
});

describe('output', () => {
  test('tables align columns, right-align numbers and show absent cells as "-"', () => {
    const table = renderTable([{ n: 'orders', q: 8, o: true }, { n: 'a-much-longer-name', q: 16, o: undefined }], [
      { header: 'TOPIC', value: (r) => r.n },
      { header: 'QUEUES', value: (r) => r.q },
      { header: 'ORDERED', value: (r) => r.o },
    ]);
    expect(table).toBe([
      'TOPIC               QUEUES  ORDERED',
      'orders                   8  yes',
      'a-much-longer-name      16  -',
      '',
    ].join('\n'));
    expect(renderFields([['topic', 'orders'], ['content type', undefined]])).toBe('topic:        orders\ncontent type: -\n');
  });

  test('body previews escape control characters, cut long text, describe binary', () => {
    expect(preview('a\nb\tc\u0001', 'utf8')).toBe('a\\nb\\tc\\x01');
    expect(preview('x'.repeat(60), 'utf8', 10)).toBe(`${'x'.repeat(9)}…`);
    expect(preview(Buffer.alloc(300).toString('base64'), 'base64')).toBe('<300 bytes, binary>');
  });
});

describe('progress on stderr', () => {
  test('not a terminal: one line per step, then the summary', () => {
    const out = io(false);
    const p = createProgress(out, 're-drive g', 250);
    p.step(100, 'batch 1');
    p.step(250);
    p.finish('250 sent back');
    expect(out.err).toBe('re-drive g: 100/250 (40%) batch 1\nre-drive g: 250/250 (100%)\nre-drive g: 250 sent back\n');
  });

  test('a terminal: one bar redrawn in place, a final line', () => {
    const out = io(true);
    const p = createProgress(out, 'reset', 4);
    p.step(1);
    p.step(4);
    p.finish('done');
    const frames = out.err.split('\r\u001b[2K').filter((f) => f !== '');
    expect(frames).toEqual([
      `reset [${'#'.repeat(7)}${'-'.repeat(21)}] 1/4 (25%)`,
      `reset [${'#'.repeat(28)}] 4/4 (100%)`,
      'reset: done\n',
    ]);
  });

  test('an unknown total counts up; disabled progress writes nothing', () => {
    const out = io(false);
    createProgress(out, 'x', undefined).step(7);
    expect(out.err).toBe('x: 7\n');
    const quiet = io(true);
    const p = createProgress(quiet, 'x', 3, false);
    p.step(1);
    p.finish('done');
    expect(quiet.err).toBe('');
  });
});
