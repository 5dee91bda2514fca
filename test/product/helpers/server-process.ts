/**
 * The embedded server as a real process (`node --import tsx src/main.ts start ...`),
 * started on free ports and read back from its listening lines, for tests and scripts
 * that kill it, restart it, or measure it from outside.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  /** listener name (mqtt, mqtt-ws, stomp, stomp-ws, http) → URL as printed */
  listeners: Map<string, URL>;
  url(name: string): URL;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, and wait for the exit */
  kill(): Promise<void>;
  /** SIGTERM, and wait for the graceful exit */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServerProcess(args: string[], options: { env?: Record<string, string>; readyTimeoutMs?: number } = {}): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ROCKETGATE_')) env[name] = value;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start', ...args], { cwd: ROOT, env: { ...env, ...options.env } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^rocketgate \S+ ready: /m.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before ready\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
  const listeners = new Map<string, URL>();
  for (const m of out.matchAll(/^(\S+) listening on (\S+)$/gm)) listeners.set(m[1]!, new URL(m[2]!));
  return {
    child,
    pid: child.pid!,
    listeners,
    url: (name) => {
      const url = listeners.get(name);
      if (!url) throw new Error(`no listener ${name}; listening: ${[...listeners.keys()].join(', ')}`);
      return url;
    },
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
