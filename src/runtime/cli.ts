/**
 * The command line (commander): `start` (the embedded server, default command),
 * `nameserver` / `broker` / `gateway` (the cluster roles, roles.ts), `hash-password`,
 * and the admin commands of src/cli/ (`topic`, `group`, `message`, `dlq`, `send`, `consume`).
 * Every config key is a flag of `start` and of each role, generated from the schema with
 * its default and environment variable in `--help`; the roles also take RocketMQ's broker
 * flags (`--broker-name`, `--namesrv-addr`, ...) for their `cluster.*` keys.
 */
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { ADMIN_HELP, addAdminCommands, CLIENT_ENV, readProcessStdin } from '../cli/index.js';
import { DEFAULT_SCRYPT, hashPassword } from '../adapters/common/user-auth.js';
import { ConfigError, publicSources, resolveConfig, type ResolvedConfig } from './config.js';
import { CONFIG_FILE_ENV, CONFIG_KEYS, formatValue, type ConfigKey } from './config-keys.js';
import { createRootLogger } from './logger.js';
import { readPassword } from './password-prompt.js';
import type { ClusterRole } from './roles.js';
import { stopOnSignals } from './signals.js';
import { VERSION } from './version.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  exit(code: number): void;
  readPassword(): Promise<string>;
  /** the admin commands' `--file -`; default: process stdin */
  readStdin?(): Promise<Buffer>;
  /** admin progress: a bar on a terminal, lines otherwise; default false */
  stderrIsTTY?: boolean;
  /** runs the embedded server until a signal; replaced in tests */
  serve(resolved: ResolvedConfig, io: CliIo): Promise<void>;
  /** runs a cluster role until a signal; replaced in tests */
  serveRole?(role: ClusterRole, resolved: ResolvedConfig, io: CliIo): Promise<void>;
}

export const EXIT_USAGE = 2;

async function serveEmbedded({ config, sources }: ResolvedConfig, io: CliIo): Promise<void> {
  // loaded here so --help and hash-password do not load the kernel
  const { startEmbedded } = await import('./embedded.js');
  const logger = createRootLogger({ level: config.log.level });
  const starting = startEmbedded(config, { sources, logger, print: (line) => io.stdout(`${line}\n`) });
  // Handlers go in before the listening lines are printed: whoever reads them may signal at once.
  // A signal during startup stops the server as soon as it is up.
  stopOnSignals({ stop: async () => (await starting).stop() }, {
    timeoutMs: config.shutdownTimeoutMs, logger, say: (line) => io.stderr(`${line}\n`), exit: io.exit,
  });
  await starting;
}

async function serveRole(role: ClusterRole, { config, sources }: ResolvedConfig, io: CliIo): Promise<void> {
  const { startRole } = await import('./roles.js');
  const logger = createRootLogger({ level: config.log.level });
  const starting = startRole(role, config, { sources, logger, print: (line) => io.stdout(`${line}\n`) });
  stopOnSignals({ stop: async () => (await starting).stop() }, {
    timeoutMs: config.shutdownTimeoutMs, logger, say: (line) => io.stderr(`${line}\n`), exit: io.exit,
  });
  await starting;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  exit: (code) => process.exit(code),
  readPassword: () => readPassword(),
  readStdin: readProcessStdin,
  stderrIsTTY: process.stderr.isTTY === true,
  serve: serveEmbedded,
  serveRole,
};

/** the environment without the admin client's variables (ROCKETGATE_SERVER, ...): they are no config keys */
function serverEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !CLIENT_ENV.includes(name)));
}

function placeholder(key: ConfigKey): string {
  const last = key.path[key.path.length - 1]!;
  if (key.kind === 'enum') return key.choices!.join('|').length <= 12 ? `<${key.choices!.join('|')}>` : `<${last}>`;
  if (key.kind === 'json') return '<json>';
  if (key.kind === 'integer-list') return last === 'heartBeatMs' ? '<send,receive>' : '<n,n,...>';
  if (/port$/i.test(last)) return '<port>';
  if (last.endsWith('Ms')) return '<ms>';
  if (last.endsWith('File')) return '<file>';
  if (last === 'dataDir') return '<dir>';
  if (last === 'host') return '<address>';
  return key.kind === 'string' ? '<text>' : key.kind === 'number' ? '<x>' : '<n>';
}

/** the flags of `start`, by commander attribute name */
function addConfigOptions(cmd: Command): Map<string, ConfigKey> {
  const byAttribute = new Map<string, ConfigKey>();
  for (const key of CONFIG_KEYS) {
    const listed = key.kind !== 'enum' || key.choices!.every((c) => key.description.includes(c));
    const choices = listed ? '' : `: ${key.choices!.join(', ')}`;
    const about = `${key.description}${choices} (default: ${formatValue(key.default)}; env ${key.env})`;
    if (key.kind === 'boolean') {
      const on = new Option(`--${key.flag}`, about);
      cmd.addOption(on);
      cmd.addOption(new Option(`--no-${key.flag}`, `set ${key.key} to false`));
      byAttribute.set(on.attributeName(), key);
    } else {
      const option = new Option(`--${key.flag} ${placeholder(key)}`, about);
      cmd.addOption(option);
      byAttribute.set(option.attributeName(), key);
    }
  }
  return byAttribute;
}

const START_HELP = `
Precedence: flag > environment variable > config file > default.
Config file: --config <file> or ${CONFIG_FILE_ENV}; JSON (.json) or YAML, with the keys
of the README's configuration table (e.g. {"mqtt": {"port": 1883}}).
Nullable ports take "null" or "off"; JSON keys take JSON.

Examples:
  rocketgate start --data-dir ./data --http-port 8080
  ROCKETGATE_MQTT_PORT=1884 rocketgate start --no-stomp-enabled
  rocketgate start --config rocketgate.yaml --print-config`;

function addStart(program: Command, io: CliIo): void {
  const start = program
    .command('start', { isDefault: true })
    .description('run the embedded server: kernel and every enabled adapter in one process (default command)')
    .option('--config <file>', `config file, JSON or YAML (default: none; env ${CONFIG_FILE_ENV})`)
    .option('--print-config', 'print every config value and where it came from, as JSON, then exit');
  const byAttribute = addConfigOptions(start);
  start.addHelpText('after', START_HELP);
  start.action((opts: Record<string, unknown>) => runConfigured(opts, byAttribute, io, (resolved) => io.serve(resolved, io)));
}

/** resolves a server command's config from its flags, then runs it (or prints the config) */
async function runConfigured(
  opts: Record<string, unknown>, byAttribute: Map<string, ConfigKey>, io: CliIo, serve: (resolved: ResolvedConfig) => Promise<void>,
  aliases: readonly RoleAlias[] = [],
): Promise<void> {
  const flags: Record<string, string | boolean> = {};
  for (const [attribute, key] of byAttribute) {
    const value = opts[attribute];
    if (typeof value === 'string' || typeof value === 'boolean') flags[key.flag] = value;
  }
  for (const alias of aliases) {
    const value = opts[new Option(`--${alias.flag} <x>`).attributeName()];
    if (typeof value === 'string' || (alias.boolean && value === true)) flags[alias.key] = value;
  }
  const configPath = (opts.config as string | undefined) ?? io.env[CONFIG_FILE_ENV];
  let file: { path: string; text: string } | undefined;
  if (configPath) {
    try {
      file = { path: configPath, text: await readFile(configPath, 'utf8') };
    } catch (err) {
      io.stderr(`rocketgate: cannot read config file ${configPath}: ${(err as Error).message}\n`);
      return io.exit(EXIT_USAGE);
    }
  }
  let resolved: ResolvedConfig;
  try {
    resolved = resolveConfig({ ...(file ? { file } : {}), env: serverEnv(io.env), flags });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`rocketgate: ${err.message}\n`);
    return io.exit(EXIT_USAGE);
  }
  if (opts.printConfig) {
    io.stdout(`${JSON.stringify(publicSources(resolved.sources), null, 2)}\n`);
    return io.exit(0);
  }
  try {
    await serve(resolved);
  } catch (err) {
    io.stderr(`rocketgate: cannot start: ${(err as Error).message}\n`);
    io.exit(1);
  }
}

/** RocketMQ's broker flags for `cluster.*` config keys (whose own flags work too) */
interface RoleAlias {
  flag: string;
  /** the config key's flag */
  key: string;
  about: string;
  /** a switch without a value */
  boolean?: true;
}

const ROLE_ALIASES: Record<ClusterRole, RoleAlias[]> = {
  nameserver: [
    { flag: 'controller', key: 'cluster-controller', about: 'also run the controller (automatic failover) on controllerPort (cluster.controller)', boolean: true },
  ],
  broker: [
    { flag: 'controller-addr', key: 'cluster-controller-addrs', about: 'controller mode: controllers host:port;host:port (cluster.controllerAddrs)' },
    { flag: 'broker-name', key: 'cluster-broker-name', about: 'broker group name (cluster.brokerName)' },
    { flag: 'broker-id', key: 'cluster-broker-id', about: '0 = master, 1 and up = slave (cluster.brokerId)' },
    { flag: 'cluster', key: 'cluster-name', about: 'cluster name (cluster.name)' },
    { flag: 'namesrv-addr', key: 'cluster-name-servers', about: 'nameservers host:port;host:port (cluster.nameServers)' },
    { flag: 'role', key: 'cluster-role', about: 'SYNC_MASTER | ASYNC_MASTER | SLAVE (cluster.role)' },
    { flag: 'ha-port', key: 'cluster-ha-port', about: 'master replication port (cluster.haPort)' },
    { flag: 'store-host', key: 'cluster-store-host', about: 'advertised IPv4 address (cluster.storeHost)' },
  ],
  gateway: [
    { flag: 'cluster', key: 'cluster-name', about: 'cluster name (cluster.name)' },
    { flag: 'namesrv-addr', key: 'cluster-name-servers', about: 'nameservers host:port;host:port (cluster.nameServers)' },
  ],
  controller: [],
};

function addClusterRoles(program: Command, io: CliIo): void {
  const roles: Record<ClusterRole, string> = {
    nameserver: 'run a nameserver: the routes of a cluster, on nameserverPort',
    broker: 'run a broker of a cluster: a store on dataDir served on brokerPort, registered with every nameserver',
    gateway: 'run the protocol adapters in front of a remote cluster (no local store)',
    controller: 'run a controller: elects broker group masters for brokers in controller mode, on controllerPort; state in dataDir',
  };
  for (const role of Object.keys(roles) as ClusterRole[]) {
    const cmd = program
      .command(role)
      .description(roles[role])
      .option('--config <file>', `config file, JSON or YAML (default: none; env ${CONFIG_FILE_ENV})`)
      .option('--print-config', 'print every config value and where it came from, as JSON, then exit');
    for (const alias of ROLE_ALIASES[role]) cmd.addOption(new Option(alias.boolean ? `--${alias.flag}` : `--${alias.flag} <x>`, alias.about));
    const byAttribute = addConfigOptions(cmd);
    cmd.action((opts: Record<string, unknown>) => runConfigured(opts, byAttribute, io, (resolved) => (io.serveRole ?? serveRole)(role, resolved, io), ROLE_ALIASES[role]));
  }
}

function addHashPassword(program: Command, io: CliIo): void {
  program
    .command('hash-password')
    .description('print a scrypt hash for users[].passwordHash; without [password] it is read from stdin (keeps it out of shell history)')
    .argument('[password]', 'the password (default: read from stdin)')
    .option('--cost <N>', `scrypt cost N, a power of two (default: ${DEFAULT_SCRYPT.N})`)
    .action(async (given: string | undefined, opts: { cost?: string }) => {
      const N = opts.cost === undefined ? DEFAULT_SCRYPT.N : Number(opts.cost);
      if (!Number.isInteger(N) || N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0) {
        io.stderr(`rocketgate hash-password: --cost must be a power of two between 2 and ${2 ** 20} (got "${opts.cost}")\n`);
        return io.exit(EXIT_USAGE);
      }
      const password = given ?? (await io.readPassword());
      if (password === '') {
        io.stderr('rocketgate hash-password: empty password\n');
        return io.exit(EXIT_USAGE);
      }
      io.stdout(`${hashPassword(password, { ...DEFAULT_SCRYPT, N })}\n`);
    });
}

export function createProgram(io: CliIo = processIo): Command {
  const program = new Command('rocketgate')
    .description('Multi-protocol messaging gateway (MQTT, STOMP, HTTP) on a RocketMQ-style kernel')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', `\nRun "rocketgate start --help" for every server flag with its default.\n${ADMIN_HELP}`);
  const allowedFlags = ['--config', '--print-config', ...CONFIG_KEYS.map((k) => `--${k.flag}`)];
  const output = {
    writeOut: (s: string) => io.stdout(s),
    writeErr: (s: string) => io.stderr(s),
    outputError: (s: string, write: (s: string) => void) => write(
      s.startsWith('error: unknown option')
        ? `${s}Allowed flags of "start": ${allowedFlags.join(', ')} (see --help)\n`
        : s,
    ),
  };
  program.configureOutput(output).exitOverride();
  addStart(program, io);
  addClusterRoles(program, io);
  addHashPassword(program, io);
  for (const cmd of program.commands) cmd.configureOutput(output).exitOverride();
  // after the loop above: their unknown-option errors must not list the flags of "start"
  const adminOutput = { ...output, outputError: (s: string, write: (s: string) => void) => write(s) };
  addAdminCommands(program, {
    ...io, readStdin: io.readStdin ?? readProcessStdin, stderrIsTTY: io.stderrIsTTY ?? false,
  }, (cmd) => cmd.configureOutput(adminOutput).exitOverride().showSuggestionAfterError(true).showHelpAfterError('(add --help for usage)'));
  return program;
}

/** Parses `argv` (as process.argv: node, script, ...) and runs the command. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<void> {
  try {
    await createProgram(io).parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    io.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  }
}
