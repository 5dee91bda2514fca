/**
 * SIGINT / SIGTERM → graceful stop of a running server (adapters, then kernel flush and
 * clean-shutdown record) within `timeoutMs`; exit 0 when it finished, 1 when it failed or
 * ran out of time. A second signal while stopping exits at once with 128 + signal number.
 */
import type { Logger } from './logger.js';

export interface SignalTarget {
  stop(): Promise<void>;
}

export interface SignalOptions {
  timeoutMs: number;
  logger: Logger;
  /** messages for the person at the terminal; default stderr */
  say?: (line: string) => void;
  exit?: (code: number) => void;
  /** default the real process */
  emitter?: Pick<NodeJS.Process, 'on' | 'off'>;
}

const SIGNAL_NUMBER = { SIGINT: 2, SIGTERM: 15 } as const;
type HandledSignal = keyof typeof SIGNAL_NUMBER;

/** Installs the handlers; returns a function that removes them. */
export function stopOnSignals(server: SignalTarget, options: SignalOptions): () => void {
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const emitter = options.emitter ?? process;
  let stopping = false;

  const onSignal = (signal: HandledSignal): void => {
    if (stopping) {
      say(`${signal} again: exiting without a clean stop`);
      exit(128 + SIGNAL_NUMBER[signal]);
      return;
    }
    stopping = true;
    say(`${signal}: stopping (send it again to exit at once)`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`graceful stop took longer than ${options.timeoutMs} ms`)), options.timeoutMs);
      timer.unref();
    });
    Promise.race([server.stop(), deadline]).then(
      () => {
        clearTimeout(timer);
        say('stopped');
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        options.logger.error({ err }, 'graceful stop failed');
        say(`stop failed: ${(err as Error).message}`);
        exit(1);
      },
    );
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  emitter.on('SIGINT', onInt);
  emitter.on('SIGTERM', onTerm);
  return () => {
    emitter.off('SIGINT', onInt);
    emitter.off('SIGTERM', onTerm);
  };
}
