/**
 * The real process: `node --import tsx src/main.ts start ...` on port 0 everywhere,
 * listening lines on stdout, GET /v1/health, SIGTERM → clean exit within seconds.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { makeTempDir } from '../helpers/temp-dir.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const PORT_FLAGS = ['--http-port', '0', '--mqtt-port', '0', '--mqtt-ws-port', '0', '--stomp-port', '0', '--stomp-ws-port', '0', '--rocketmq-port', '0'];

interface Started {
  child: ChildProcessWithoutNullStreams;
  listeners: Map<string, URL>;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

async function startProcess(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT, env: { ...process.env, ROCKETGATE_LOG_LEVEL: 'info' },
  });
  let out = '';
  let err = '';
  let signalledAt = 0;
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - signalledAt }));
  });
  const originalKill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => { signalledAt = Date.now(); return originalKill(signal); };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 20 s\nstdout:\n${out}\nstderr:\n${err}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^rocketgate \S+ ready: /m.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
  const listeners = new Map<string, URL>();
  for (const m of out.matchAll(/^(\S+) listening on (\S+)$/gm)) listeners.set(m[1]!, new URL(m[2]!));
  return { child, listeners, stdout: () => out, stderr: () => err, exit };
}

describe('rocketgate start as a process', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => { temp = makeTempDir('rocketgate-process-'); });
  afterEach(() => temp.cleanup());

  test('prints its listeners with real ports, answers /v1/health, stops cleanly on SIGTERM', async () => {
    const server = await startProcess(['start', '--data-dir', temp.dir, '--host', '127.0.0.1', ...PORT_FLAGS]);
    try {
      expect([...server.listeners.keys()]).toContain('http');
      for (const url of server.listeners.values()) expect(Number(url.port)).toBeGreaterThan(0);
      const health = await fetch(new URL('/v1/health', server.listeners.get('http')!));
      expect(health.status).toBe(200);
      expect(server.stdout()).toContain(`data dir ${temp.dir}`);
    } finally {
      server.child.kill('SIGTERM');
    }
    const { code, ms } = await server.exit;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5_000);
    expect(server.stderr()).toContain('SIGTERM: stopping');
    expect(server.stderr()).toContain('stopped');

    // the data directory opens again after the clean stop
    const again = await startProcess(['start', '--data-dir', temp.dir, '--host', '127.0.0.1', ...PORT_FLAGS]);
    again.child.kill('SIGINT');
    expect((await again.exit).code).toBe(0);
  });

  test('a bad flag value exits 2 before opening anything', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start', '--data-dir', temp.dir, '--http-port', 'eighty'], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('http.port (flag --http-port): expected an integer, got "eighty"');
  });
});
