/**
 * The options every admin subcommand shares: which server (--server, ROCKETGATE_SERVER),
 * which credentials (--token / --user, or their environment variables), --timeout and
 * --json. These variables belong to the client, so `rocketgate start` ignores them
 * (CLIENT_ENV) rather than calling them unknown config variables.
 */
import type { Command } from 'commander';
import { AdminClient } from './client.js';
import { UsageError } from './errors.js';
import type { AdminIo } from './io.js';
import { parseDuration, parseServer } from './parse.js';

export const SERVER_ENV = 'ROCKETGATE_SERVER';
export const TOKEN_ENV = 'ROCKETGATE_SERVER_TOKEN';
export const USER_ENV = 'ROCKETGATE_SERVER_USER';
/** environment variables of the admin client, not of the server's config */
export const CLIENT_ENV: readonly string[] = [SERVER_ENV, TOKEN_ENV, USER_ENV];

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
const DEFAULT_TIMEOUT = '10s';

export interface ConnectionOptions {
  server?: string;
  token?: string;
  user?: string;
  timeout?: string;
  json?: boolean;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', `the server's HTTP listener (default: ${DEFAULT_SERVER}; env ${SERVER_ENV})`)
    .option('--token <token>', `bearer token of a user (env ${TOKEN_ENV})`)
    .option('--user <name[:password]>', `basic credentials; without :password it is asked for, or read from stdin (env ${USER_ENV})`)
    .option('--timeout <duration>', `per request: 500ms, 10s, 1m (default: ${DEFAULT_TIMEOUT})`)
    .option('--json', 'print JSON for scripts instead of tables');
}

async function authorizationOf(opts: ConnectionOptions, io: AdminIo): Promise<string | undefined> {
  if (opts.token !== undefined && opts.user !== undefined) throw new UsageError('--token and --user exclude each other');
  // a flag beats the environment; of two variables the token wins
  const token = opts.user !== undefined ? undefined : opts.token ?? io.env[TOKEN_ENV];
  if (token !== undefined && token !== '') return `Bearer ${token}`;
  const user = opts.user ?? io.env[USER_ENV];
  if (user === undefined || user === '') return undefined;
  const colon = user.indexOf(':');
  const name = colon < 0 ? user : user.slice(0, colon);
  if (name === '') throw new UsageError('--user: expected name or name:password');
  const password = colon < 0 ? await io.readPassword() : user.slice(colon + 1);
  return `Basic ${Buffer.from(`${name}:${password}`, 'utf8').toString('base64')}`;
}

export async function connect(opts: ConnectionOptions, io: AdminIo): Promise<AdminClient> {
  const fromFlag = opts.server !== undefined;
  const raw = opts.server ?? io.env[SERVER_ENV] ?? DEFAULT_SERVER;
  const server = parseServer(fromFlag ? '--server' : io.env[SERVER_ENV] !== undefined ? SERVER_ENV : 'default server', raw);
  const timeoutMs = parseDuration('--timeout', opts.timeout ?? DEFAULT_TIMEOUT);
  if (timeoutMs <= 0) throw new UsageError('--timeout must be more than 0');
  const authorization = await authorizationOf(opts, io);
  return new AdminClient({ server, timeoutMs, ...(authorization ? { authorization } : {}), ...(io.fetch ? { fetch: io.fetch } : {}) });
}
