/**
 * The process's pino root logger and one child per component (`{component: "mqtt"}`).
 * JSON lines on stderr, so stdout carries only what the CLI prints for people
 * (listening addresses). Quiet by default: level `warn` (config key `log.level`).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config-schema.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LogLevel;
  /** default: stderr, written synchronously so nothing is lost on exit */
  destination?: DestinationStream;
}

export function createRootLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  return pino({ level: options.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
