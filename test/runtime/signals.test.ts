import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { stopOnSignals } from '../../src/runtime/signals.js';

const logger = pino({ level: 'silent' });

function harness(stop: () => Promise<void>, timeoutMs = 1_000) {
  const emitter = new EventEmitter();
  const said: string[] = [];
  const exits: number[] = [];
  const exited = new Promise<number>((resolve) => {
    const remove = stopOnSignals({ stop }, {
      timeoutMs, logger, emitter: emitter as unknown as NodeJS.Process,
      say: (line) => said.push(line),
      exit: (code) => { exits.push(code); resolve(code); },
    });
    void remove;
  });
  return { emitter, said, exits, exited };
}

describe('stopOnSignals', () => {
  test.each(['SIGTERM', 'SIGINT'])('%s stops the server gracefully and exits 0', async (signal) => {
    let stopped = 0;
    const h = harness(async () => { stopped++; });
    h.emitter.emit(signal);
    expect(await h.exited).toBe(0);
    expect(stopped).toBe(1);
    expect(h.said).toEqual([`${signal}: stopping (send it again to exit at once)`, 'stopped']);
  });

  test('a second signal while stopping exits at once with 128 + signal number', async () => {
    const h = harness(() => new Promise(() => undefined));
    h.emitter.emit('SIGINT');
    h.emitter.emit('SIGTERM');
    expect(await h.exited).toBe(143);
    expect(h.said[1]).toBe('SIGTERM again: exiting without a clean stop');
  });

  test('a stop that hangs past the deadline exits 1', async () => {
    const h = harness(() => new Promise(() => undefined), 50);
    h.emitter.emit('SIGTERM');
    expect(await h.exited).toBe(1);
    expect(h.said[1]).toBe('stop failed: graceful stop took longer than 50 ms');
  });

  test('a failing stop exits 1', async () => {
    const h = harness(async () => { throw new Error('disk gone'); });
    h.emitter.emit('SIGTERM');
    expect(await h.exited).toBe(1);
    expect(h.said[1]).toBe('stop failed: disk gone');
  });

  test('the returned function removes the handlers', () => {
    const emitter = new EventEmitter();
    const remove = stopOnSignals({ stop: async () => undefined }, { timeoutMs: 10, logger, emitter: emitter as unknown as NodeJS.Process, exit: () => undefined, say: () => undefined });
    expect(emitter.listenerCount('SIGTERM')).toBe(1);
    remove();
    expect(emitter.listenerCount('SIGTERM')).toBe(0);
    expect(emitter.listenerCount('SIGINT')).toBe(0);
  });
});
