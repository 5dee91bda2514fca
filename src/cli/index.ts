/**
 * The admin subcommands of `rocketgate`, as mqadmin and rabbitmqadmin offer them, against a
 * running server's HTTP admin API:
 *   topic list|show|create|delete, group list|show|lag|reset-offset,
 *   message get|find, dlq list|redrive, send, consume
 * Tables for people, --json for scripts; exit codes in errors.ts.
 */
import type { Command } from 'commander';
import { addConsumeCommand } from './commands/consume.js';
import { addDlqCommands } from './commands/dlq.js';
import { addGroupCommands } from './commands/group.js';
import { addMessageCommands } from './commands/message.js';
import { addSendCommand } from './commands/send.js';
import { addTopicCommands } from './commands/topic.js';
import type { AdminIo } from './io.js';

export { CLIENT_ENV } from './connection.js';
export { AdminExit } from './errors.js';
export type { AdminIo } from './io.js';
export { readProcessStdin } from './io.js';

export const ADMIN_COMMANDS = ['topic', 'group', 'message', 'dlq', 'send', 'consume'] as const;

export const ADMIN_HELP = `
Admin commands talk to a running server over HTTP (--server, env ROCKETGATE_SERVER,
default http://127.0.0.1:8080), e.g.:
  rocketgate topic list
  rocketgate send orders 'hello' --tag created
  rocketgate consume orders --max 1 --wait 10s`;

/**
 * Adds the admin commands to `program`; `configure` is applied to every command added
 * (output streams, exitOverride), nested ones included.
 */
export function addAdminCommands(program: Command, io: AdminIo, configure: (cmd: Command) => void): void {
  const before = new Set(program.commands);
  addTopicCommands(program, io);
  addGroupCommands(program, io);
  addMessageCommands(program, io);
  addDlqCommands(program, io);
  addSendCommand(program, io);
  addConsumeCommand(program, io);
  const visit = (cmd: Command): void => {
    configure(cmd);
    cmd.commands.forEach(visit);
  };
  program.commands.filter((c) => !before.has(c)).forEach(visit);
}
