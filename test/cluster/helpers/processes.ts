/**
 * rocketgate processes for multi-process tests: `node --import tsx src/main.ts <role> ...`,
 * their stdout lines collected (listener and ready lines), stopped by signal. Every
 * process a test starts is killed by `killAll` (SIGKILL, by pid) whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

export interface RocketgateProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: string[];
  /** the first stdout line matching `pattern` (waits for it) */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** "host:port" from a `... listening on host:port` line */
  address(what: string, timeoutMs?: number): Promise<string>;
  signal(sig: NodeJS.Signals): void;
  readonly exited: Promise<number | null>;
  /** stderr, for failure messages */
  stderr(): string;
}

export class ProcessGroup {
  private readonly all: RocketgateProcess[] = [];

  start(name: string, args: string[], env: Record<string, string> = {}): RocketgateProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let err = '';
    const waiters: Array<() => void> = [];
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
      for (const w of waiters.splice(0)) w();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (err.length < 200_000) err += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
      for (const w of waiters.splice(0)) w();
      resolve(code);
    }));
    const p: RocketgateProcess = {
      name,
      child,
      lines,
      exited,
      stderr: () => err,
      signal: (sig) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      },
      line: async (pattern, timeoutMs = 20_000) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          for (const l of lines) {
            const m = pattern.exec(l);
            if (m) return m;
          }
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}: ${err.slice(-2_000)}`);
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`${name} printed no ${pattern} within ${timeoutMs} ms; stdout: ${lines.join(' | ')}; stderr: ${err.slice(-2_000)}`);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.min(left, 200));
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
      },
      address: async (what, timeoutMs) => (await p.line(new RegExp(`${what} listening on (?:\\w+://)?([\\d.]+:\\d+)`), timeoutMs))[1]!,
    };
    this.all.push(p);
    return p;
  }

  async killAll(): Promise<void> {
    for (const p of this.all) p.signal('SIGCONT');
    for (const p of this.all) p.signal('SIGKILL');
    await Promise.all(this.all.map((p) => p.exited));
  }
}
