import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { verifyPassword } from '../../src/adapters/common/user-auth.js';
import { runCli, type CliIo } from '../../src/runtime/cli.js';
import type { ResolvedConfig } from '../../src/runtime/config.js';
import { CONFIG_KEYS, formatValue } from '../../src/runtime/config-keys.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

interface FakeIo extends CliIo {
  out: string;
  err: string;
  codes: number[];
  served: ResolvedConfig[];
}

function fakeIo(env: Record<string, string> = {}, password = ''): FakeIo {
  const io: FakeIo = {
    out: '', err: '', codes: [], served: [], env,
    stdout: (t) => { io.out += t; },
    stderr: (t) => { io.err += t; },
    exit: (code) => { io.codes.push(code); },
    readPassword: async () => password,
    serve: async (resolved) => { io.served.push(resolved); },
  };
  return io;
}

const run = async (args: string[], io = fakeIo()): Promise<FakeIo> => {
  await runCli(['node', 'rocketgate', ...args], io);
  return io;
};

describe('rocketgate start', () => {
  test('--help lists every config flag with its default and environment variable', async () => {
    const io = await run(['start', '--help']);
    expect(io.codes).toEqual([0]);
    const help = io.out.replace(/\s+/g, ' ');
    for (const key of CONFIG_KEYS) {
      expect(help).toContain(`--${key.flag} `);
      expect(help).toContain(`(default: ${formatValue(key.default)}; env ${key.env})`);
      if (key.kind === 'boolean') expect(help).toContain(`--no-${key.flag} `);
    }
    expect(help).toContain('--config <file>');
    expect(help).toContain('Precedence: flag > environment variable > config file > default.');
  });

  test('is the default command; flags, env and config file meet in one resolved config', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rg-cli-'));
    try {
      const file = path.join(dir, 'rg.yaml');
      await writeFile(file, 'mqtt:\n  port: 1111\nhttp:\n  port: 2222\nflush: sync\n');
      const io = await run(['--config', file, '--http-port', '3333', '--no-auto-create-topics', '--stomp-ws-port', 'off'],
        fakeIo({ ROCKETGATE_MQTT_PORT: '4444', ROCKETGATE_DEFAULT_QUEUE_COUNT: '4' }));
      expect(io.err).toBe('');
      expect(io.codes).toEqual([]);
      const [{ config, sources }] = io.served as [ResolvedConfig];
      expect(config).toMatchObject({
        flush: 'sync', autoCreateTopics: false, defaultQueueCount: 4,
        mqtt: { port: 4444 }, http: { port: 3333 }, stomp: { wsPort: null },
      });
      expect(sources.flush).toEqual({ value: 'sync', source: 'file', origin: `file ${file}` });
      expect(sources['mqtt.port']!.source).toBe('env');
      expect(sources['http.port']!.source).toBe('flag');
      expect(sources.autoCreateTopics!.origin).toBe('flag --no-auto-create-topics');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('ROCKETGATE_CONFIG names the file when --config is absent', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rg-cli-'));
    try {
      const file = path.join(dir, 'rg.json');
      await writeFile(file, '{"log": {"level": "info"}}');
      const io = await run(['start'], fakeIo({ ROCKETGATE_CONFIG: file }));
      expect(io.served[0]!.config.log.level).toBe('info');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('--print-config prints values and sources, secrets masked, and does not start', async () => {
    const io = await run(['start', '--print-config', '--mqtt-port', '1'], fakeIo({ ROCKETGATE_HTTP_PORT: '2' }));
    expect(io.codes).toEqual([0]);
    expect(io.served).toEqual([]);
    const shown = JSON.parse(io.out) as Record<string, { value: unknown; source: string }>;
    expect(shown['mqtt.port']).toEqual({ value: 1, source: 'flag', origin: 'flag --mqtt-port' });
    expect(shown['http.port']).toEqual({ value: 2, source: 'env', origin: 'env ROCKETGATE_HTTP_PORT' });
    expect(shown.dataDir).toEqual({ value: './data', source: 'default' });
  });

  test('an unknown flag exits 2 naming it, a suggestion and the allowed flags', async () => {
    const io = await run(['start', '--mqtt-prot', '1']);
    expect(io.codes).toEqual([2]);
    expect(io.err).toContain("unknown option '--mqtt-prot'");
    expect(io.err).toContain('--mqtt-port');
    expect(io.err).toMatch(/Allowed flags of "start": --config, --print-config, --data-dir, .*--http-tls-key-file/);
    expect(io.served).toEqual([]);
  });

  test('bad values and unknown environment variables exit 2 with every issue', async () => {
    const io = await run(['--flush', 'fast', '--mqtt-port', 'x'], fakeIo({ ROCKETGATE_NOPE: '1' }));
    expect(io.codes).toEqual([2]);
    expect(io.err).toContain('unknown environment variable ROCKETGATE_NOPE');
    expect(io.err).toContain('flush (flag --flush): must be one of: async, sync (got "fast")');
    expect(io.err).toContain('mqtt.port (flag --mqtt-port): expected an integer, got "x"');
  });

  test('a missing config file exits 2', async () => {
    const io = await run(['--config', '/nonexistent/rg.yaml']);
    expect(io.codes).toEqual([2]);
    expect(io.err).toMatch(/cannot read config file \/nonexistent\/rg\.yaml/);
  });

  test('a failed start exits 1 with the reason', async () => {
    const io = fakeIo();
    io.serve = async () => { throw new Error('listen EADDRINUSE'); };
    await run(['start'], io);
    expect(io.codes).toEqual([1]);
    expect(io.err).toBe('rocketgate: cannot start: listen EADDRINUSE\n');
  });
});

describe('other commands', () => {
  test('broker takes RocketMQ\'s flags for its cluster.* keys, and every config flag', async () => {
    const roles: Array<{ role: string; config: ResolvedConfig['config'] }> = [];
    const io = fakeIo();
    io.serveRole = async (role, resolved) => { roles.push({ role, config: resolved.config }); };
    await run(['broker', '--broker-name', 'broker-b', '--broker-id', '1', '--cluster', 'C1', '--namesrv-addr', '10.0.0.1:9876;10.0.0.2:9876',
      '--role', 'SLAVE', '--ha-port', '20912', '--store-host', '10.0.0.9', '--broker-port', '20911', '--cluster-timers', 'fast', '--data-dir', '/tmp/x'], io);
    expect(io.err).toBe('');
    expect(roles).toHaveLength(1);
    expect(roles[0]!.role).toBe('broker');
    expect(roles[0]!.config).toMatchObject({
      brokerPort: 20911, dataDir: '/tmp/x',
      cluster: { brokerName: 'broker-b', brokerId: 1, name: 'C1', nameServers: '10.0.0.1:9876;10.0.0.2:9876', role: 'SLAVE', haPort: 20912, storeHost: '10.0.0.9', timers: 'fast' },
    });
  });

  test.each(['nameserver', 'gateway'])('%s resolves its config and starts its role', async (role) => {
    const started: string[] = [];
    const io = fakeIo({ ROCKETGATE_NAMESERVER_PORT: '19876' });
    io.serveRole = async (r, resolved) => { started.push(`${r}:${resolved.config.nameserverPort}`); };
    await run([role], io);
    expect(io.codes).toEqual([]);
    expect(started).toEqual([`${role}:19876`]);
  });

  test('a bad role value is a usage error naming the key', async () => {
    const io = fakeIo();
    io.serveRole = async () => undefined;
    await run(['broker', '--role', 'LEADER'], io);
    expect(io.codes).toEqual([2]);
    expect(io.err).toContain('cluster.role');
  });

  test('hash-password prints a verifiable scrypt hash, from the argument or stdin', async () => {
    const fromArg = await run(['hash-password', 'pa55', '--cost', '1024']);
    expect(fromArg.out).toMatch(/^scrypt\$1024\$8\$1\$\S+\n$/);
    expect(verifyPassword('pa55', fromArg.out.trim())).toBe(true);
    const fromStdin = await run(['hash-password', '--cost', '1024'], fakeIo({}, 'typed'));
    expect(verifyPassword('typed', fromStdin.out.trim())).toBe(true);
    const empty = await run(['hash-password'], fakeIo({}, ''));
    expect(empty.codes).toEqual([2]);
    const badCost = await run(['hash-password', 'x', '--cost', '1000']);
    expect(badCost.codes).toEqual([2]);
    expect(badCost.err).toContain('--cost must be a power of two');
  });

  test('root --help lists the commands', async () => {
    const io = await run(['--help']);
    expect(io.codes).toEqual([0]);
    for (const cmd of ['start', 'nameserver', 'broker', 'gateway', 'hash-password']) expect(io.out).toContain(cmd);
  });
});

describe('the real entry point', () => {
  const exec = promisify(execFile);

  test('node --import tsx src/main.ts start --help lists every flag and exits 0', async () => {
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start', '--help'], { cwd: ROOT });
    for (const key of CONFIG_KEYS) expect(stdout).toContain(`--${key.flag} `);
  });

  test('hash-password reads a piped password', async () => {
    const child = exec(process.execPath, ['--import', 'tsx', 'src/main.ts', 'hash-password', '--cost', '1024'], { cwd: ROOT });
    child.child.stdin!.end('piped-secret\n');
    const { stdout } = await child;
    expect(verifyPassword('piped-secret', stdout.trim())).toBe(true);
  });
});
