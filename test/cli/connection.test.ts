/**
 * How the admin commands find and talk to a server: --server / ROCKETGATE_SERVER,
 * credentials (--token, --user, their variables), and the errors and exit codes when
 * nothing answers (3), the server refuses (1) or the command line is wrong (2).
 */
import http from 'node:http';
import { createServer, type Socket } from 'node:net';
import { hashPassword } from '../../src/adapters/common/user-auth.js';
import { runCli, type CliIo } from '../../src/runtime/cli.js';
import { startTestServer, type TestServer } from '../helpers/runtime.js';
import { cli, closedPort } from './helpers.js';

const FAST = { N: 16, r: 1, p: 1 };

describe('rocketgate admin commands: reaching the server', () => {
  test('nothing listening: exit 3 naming the URL and that nothing answers; --json adds an error document', async () => {
    const port = await closedPort();
    const run = await cli(['topic', 'list', '--server', `127.0.0.1:${port}`]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`rocketgate topic list: cannot reach the rocketgate server at http://127.0.0.1:${port}: nothing answers (connection refused)`);
    expect(run.stderr).toContain('(the server URL comes from --server, else ROCKETGATE_SERVER, else http://127.0.0.1:8080)');

    const json = await cli(['group', 'list', '--json'], { env: { ROCKETGATE_SERVER: `http://127.0.0.1:${port}` } });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'UNREACHABLE', server: `http://127.0.0.1:${port}`, message: expect.stringContaining('nothing answers') } });
  });

  test('a listener that never answers: exit 3 after --timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => { sockets.push(s); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const started = Date.now();
      const run = await cli(['topic', 'list', '--server', `127.0.0.1:${port}`, '--timeout', '700ms']);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`at http://127.0.0.1:${port}: no answer within 700 ms (--timeout)`);
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  test('an HTTP server that is not rocketgate: exit 1 saying so', async () => {
    const other = http.createServer((_req, res) => { res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nope</h1>'); });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = other.address() as { port: number };
      const run = await cli(['topic', 'list', '--server', `http://127.0.0.1:${port}`]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`404 HTTP_404: Not Found for GET /v1/topics, without a rocketgate error body; is http://127.0.0.1:${port} a rocketgate HTTP listener?`);
    } finally {
      other.close();
    }
  });

  test('usage errors exit 2 before sending anything', async () => {
    const cases: Array<[string[], string]> = [
      [['topic', 'list', '--server', 'ftp://example.com'], '--server: "ftp://example.com" must be an http:// or https:// URL'],
      [['topic', 'list', '--timeout', 'soon'], '--timeout: expected a duration such as 500ms'],
      [['topic', 'list', '--bogus'], "error: unknown option '--bogus'"],
      [['topic', 'create'], "error: missing required argument 'topic'"],
      [['topic', 'lst'], "error: unknown command 'lst'"],
      [['topic', 'create', 'x', '--queues', 'many'], '--queues: expected a whole number from 1 to 1024, got "many"'],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toContain('Allowed flags of "start"');
    }
  });
});

describe('rocketgate admin commands: credentials', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer({
      allowAnonymous: false,
      users: [
        { username: 'alice', passwordHash: hashPassword('wonderland', FAST), admin: true, readOnly: false, tokens: ['alice-token-0123456789'], acl: [] },
        { username: 'bob', passwordHash: hashPassword('builder', FAST), admin: false, readOnly: false, tokens: [], acl: [] },
      ],
    });
    url = server.url('http');
  });
  afterAll(() => server.stop());

  test('without credentials: refused 401 with a hint (exit 1)', async () => {
    const run = await cli(['topic', 'list', '--server', url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('rocketgate topic list: the server refused: 401 UNAUTHORIZED: credentials required (pass --token or --user, or set ROCKETGATE_SERVER_TOKEN)\n');
  });

  test('--token, ROCKETGATE_SERVER_TOKEN, --user name:password, --user name with the password on stdin', async () => {
    expect((await cli(['topic', 'create', 'secured', '--server', url, '--token', 'alice-token-0123456789'])).code).toBe(0);
    const viaEnv = await cli(['topic', 'list'], { env: { ROCKETGATE_SERVER: url, ROCKETGATE_SERVER_TOKEN: 'alice-token-0123456789' } });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toMatch(/^secured /m);
    expect((await cli(['topic', 'show', 'secured', '--server', url, '--user', 'alice:wonderland'])).code).toBe(0);
    expect((await cli(['topic', 'show', 'secured', '--server', url, '--user', 'alice'], { input: 'wonderland\n' })).code).toBe(0);
    const wrong = await cli(['topic', 'show', 'secured', '--server', url, '--user', 'alice'], { input: 'queen\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('401 UNAUTHORIZED: invalid credentials');
  });

  test('a user without admin rights is refused 403 with a hint; --token with --user is a usage error', async () => {
    const bob = await cli(['topic', 'delete', 'secured', '--server', url, '--user', 'bob:builder']);
    expect(bob.code).toBe(1);
    expect(bob.stderr).toContain('403 FORBIDDEN: admin rights required (these credentials lack the rights');
    const both = await cli(['topic', 'list', '--server', url, '--user', 'bob:builder', '--token', 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--token and --user exclude each other');
  });
});

interface FakeIo extends CliIo {
  out: string;
  err: string;
  codes: number[];
  served: number;
}

function fakeIo(env: Record<string, string> = {}): FakeIo {
  const io: FakeIo = {
    out: '', err: '', codes: [], served: 0, env,
    stdout: (t) => { io.out += t; },
    stderr: (t) => { io.err += t; },
    exit: (code) => { io.codes.push(code); },
    readPassword: async () => '',
    serve: async () => { io.served++; },
  };
  return io;
}

describe('rocketgate admin commands: help and the server\'s environment', () => {
  const leaves = [
    ['topic', 'list'], ['topic', 'show'], ['topic', 'create'], ['topic', 'delete'],
    ['group', 'list'], ['group', 'show'], ['group', 'lag'], ['group', 'reset-offset'],
    ['message', 'get'], ['message', 'find'], ['dlq', 'list'], ['dlq', 'redrive'], ['send'], ['consume'],
  ];

  test.each(leaves.map((words) => [words.join(' '), words] as const))('%s --help shows usage, the connection flags and the exit codes', async (name, words) => {
    const io = fakeIo();
    await runCli(['node', 'rocketgate', ...words, '--help'], io);
    expect(io.codes).toEqual([0]);
    expect(io.out).toContain(`Usage: rocketgate ${name} [options]`);
    for (const flag of ['--server <url>', '--token <token>', '--user <name[:password]>', '--timeout <duration>', '--json']) expect(io.out).toContain(flag);
    expect(io.out).toContain('Exit codes:\n  0  done\n  1  the server refused');
  });

  test('the top-level help lists the admin commands', async () => {
    const io = fakeIo();
    await runCli(['node', 'rocketgate', '--help'], io);
    for (const name of ['topic', 'group', 'message', 'dlq', 'send [options] <topic> [body]', 'consume [options] <topic>']) expect(io.out).toContain(`  ${name}`);
    expect(io.out).toContain('Admin commands talk to a running server over HTTP');
  });

  test('"start" ignores the admin client\'s variables but still rejects unknown ROCKETGATE_* ones', async () => {
    const io = fakeIo({ ROCKETGATE_SERVER: 'http://x:1', ROCKETGATE_SERVER_TOKEN: 't', ROCKETGATE_SERVER_USER: 'u:p' });
    await runCli(['node', 'rocketgate', 'start', '--data-dir', '/tmp/unused'], io);
    expect(io.err).toBe('');
    expect(io.served).toBe(1);

    const typo = fakeIo({ ROCKETGATE_SERVERS: 'x' });
    await runCli(['node', 'rocketgate', 'start'], typo);
    expect(typo.codes).toEqual([2]);
    expect(typo.err).toContain('unknown environment variable ROCKETGATE_SERVERS');
  });
});
