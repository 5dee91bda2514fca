/**
 * The real CLI as a process (`node --import tsx src/main.ts <args>`), its exit code and
 * output, and small HTTP helpers to set up state on a startTestServer.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** written to stdin, then stdin is closed (default: closed at once) */
  input?: string | Buffer;
  timeoutMs?: number;
}

/** the environment without the developer's ROCKETGATE_* variables */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ROCKETGATE_')) env[name] = value;
  return { ...env, ...extra };
}

export function cli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: cleanEnv(options.env ?? {}) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rocketgate ${args.join(' ')} ran over ${options.timeoutMs ?? 20_000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** runs `args` with --server and --json and parses stdout; fails with the output when the exit code is not 0 */
export async function cliJson<T = any>(server: string, args: string[], options: RunOptions = {}): Promise<T> {
  const run = await cli([...args, '--server', server, '--json'], options);
  if (run.code !== 0) throw new Error(`rocketgate ${args.join(' ')} exited ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** a port nothing listens on (bound once, then released) */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function api<T = any>(base: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(base + route, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** lines of a table printed by the CLI, split on runs of two or more spaces */
export function tableRows(stdout: string): string[][] {
  return stdout.trimEnd().split('\n').map((line) => line.trim().split(/\s{2,}/));
}
