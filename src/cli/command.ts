/**
 * One admin leaf command = connection options + a handler. `adminCommand` resolves the
 * server and credentials, runs the handler, and turns its failure into a message on
 * stderr (and, with --json, an error document on stdout) and an exit code (errors.ts).
 */
import type { Command } from 'commander';
import type { AdminClient } from './client.js';
import { addConnectionOptions, connect, SERVER_ENV, TOKEN_ENV, type ConnectionOptions } from './connection.js';
import { AdminExit, EXIT_CODES_HELP, exitCodeOf, RefusedError, UnreachableError, UsageError } from './errors.js';
import type { AdminIo } from './io.js';
import { printJson } from './output.js';

export interface AdminContext {
  client: AdminClient;
  io: AdminIo;
  /** --json */
  json: boolean;
  /** the command line as typed, for messages: "rocketgate dlq redrive" */
  name: string;
}

export type AdminHandler<O> = (ctx: AdminContext, args: Array<string | undefined>, opts: O & ConnectionOptions) => Promise<void>;

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function hintOf(err: RefusedError): string {
  if (err.status === 401) return ` (pass --token or --user, or set ${TOKEN_ENV})`;
  if (err.status === 403) return ' (these credentials lack the rights; admin commands need an admin user, reads also a readOnly one)';
  return '';
}

function detailsOf(err: RefusedError): string {
  if (err.details === undefined || (err.code === 'VALIDATION_FAILED' && Array.isArray(err.details) && err.details.length <= 1)) return '';
  const text = JSON.stringify(err.details);
  return `\n  details: ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`;
}

export function report(io: AdminIo, name: string, err: unknown, json: boolean): AdminExit | undefined {
  const code = exitCodeOf(err);
  if (code === undefined) return undefined;
  if (err instanceof UsageError) {
    io.stderr(`${name}: ${err.message} (see ${name} --help)\n`);
  } else if (err instanceof UnreachableError) {
    io.stderr(`${name}: ${err.message}\n  (the server URL comes from --server, else ${SERVER_ENV}, else http://127.0.0.1:8080)\n`);
    if (json) printJson(io, { error: { code: 'UNREACHABLE', message: err.message, server: err.url } });
  } else if (err instanceof RefusedError) {
    io.stderr(`${name}: ${err.message}${hintOf(err)}${detailsOf(err)}\n`);
    if (json) printJson(io, { error: { status: err.status, code: err.code, message: err.serverMessage, ...(err.details === undefined ? {} : { details: err.details }) } });
  } else {
    io.stderr(`${name}: ${(err as Error).message}\n`);
  }
  return code;
}

/** Adds connection options, the exit-code table and the handler to `cmd`. */
export function adminCommand<O>(cmd: Command, io: AdminIo, handler: AdminHandler<O>): Command {
  addConnectionOptions(cmd).addHelpText('after', EXIT_CODES_HELP);
  cmd.action(async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const opts = command.opts<O & ConnectionOptions>();
    const args = command.processedArgs as Array<string | undefined>;
    const name = commandPath(command);
    try {
      const client = await connect(opts, io);
      await handler({ client, io, json: opts.json === true, name }, args, opts);
    } catch (err) {
      const code = report(io, name, err, opts.json === true);
      if (code === undefined) throw err;
      io.exit(code);
    }
  });
  return cmd;
}
