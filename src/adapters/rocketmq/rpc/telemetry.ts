/**
 * Telemetry: the client's long-lived bidirectional stream. The server answers each
 * Settings command with the settings the client must use (settings.ts), and writes
 * RecoverOrphanedTransactionCommands to producers (transactions.ts). A stream that fails
 * authentication, or whose settings are refused, gets a TelemetryCommand with only a
 * status, which the client reports as the reason its startup failed.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { TelemetryWriter } from '../clients.js';
import { OK } from '../errors.js';
import type { TelemetryCommand } from '../proto.js';
import { handshake } from '../settings.js';
import { callContext, reportFailure, type CallContext, type RpcDeps } from './context.js';

async function onCommand(deps: RpcDeps, ctx: CallContext, writer: TelemetryWriter, command: TelemetryCommand): Promise<void> {
  if (command.settings) {
    try {
      writer.write({ status: OK, settings: await handshake(deps, ctx.session, command.settings) });
    } catch (err) {
      writer.write({ status: reportFailure(deps, 'Telemetry', err) });
    }
    return;
  }
  // thread stack traces and message verification results answer commands this server never sends
  deps.logger.debug({ clientId: ctx.clientId, command: command.command }, 'telemetry command ignored');
}

export function telemetry(deps: RpcDeps) {
  return (call: ServerDuplexStream<TelemetryCommand, TelemetryCommand>): void => {
    let ctx: CallContext;
    try {
      ctx = callContext(deps, call.metadata, undefined);
    } catch (err) {
      call.write({ status: reportFailure(deps, 'Telemetry', err) });
      call.end();
      return;
    }
    let open = true;
    const writer: TelemetryWriter = {
      write: (command) => {
        if (open) call.write(command);
      },
    };
    const session = ctx.session;
    session.telemetry.add(writer);
    const close = (): void => {
      if (!open) return;
      open = false;
      session.telemetry.delete(writer);
      session.lastSeen = Date.now();
    };
    call.on('data', (command: TelemetryCommand) => {
      session.lastSeen = Date.now();
      void onCommand(deps, ctx, writer, command);
    });
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('error', close);
    call.on('cancelled', close);
    call.on('close', close);
  };
}
