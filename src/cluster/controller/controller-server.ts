/**
 * The controller over RocketMQ remoting (controller-codes.ts): its own listener
 * (`rocketgate controller`, or inside a nameserver process with `--controller`).
 * Headers: brokerName, brokerId, masterEpoch, syncStateSetEpoch, ...; replica info and
 * sync-state data answer as JSON bodies. Fenced or invalid requests answer RocketMQ's
 * CONTROLLER_* codes with a remark.
 */
import { jsonBody, parseJsonObject } from '../protocol/fastjson.js';
import { createResponse, type RemotingCommand } from '../remoting/command.js';
import { RemotingServer } from '../remoting/remoting-server.js';
import { TcpTransport } from '../remoting/tcp-transport.js';
import type { Transport } from '../remoting/transport.js';
import { ControllerRequestCode, ControllerResponseCode } from './controller-codes.js';
import { LocalController, type Controller, type LocalControllerOptions } from './controller.js';
import { ControllerError, type HeartbeatInput } from './replica-state.js';

export interface ControllerServerOptions extends LocalControllerOptions {
  host?: string;
  /** 9878 is RocketMQ's; 0 picks a free port */
  port?: number;
  transport?: Transport;
}

export interface ControllerServer {
  readonly address: string;
  readonly controller: Controller;
  close(): Promise<void>;
}

export async function startControllerServer(o: ControllerServerOptions): Promise<ControllerServer> {
  const controller = new LocalController(o);
  const server = new RemotingServer(o.transport ?? new TcpTransport(), { host: o.host, port: o.port ?? 9878 });
  registerControllerProcessors(server, controller);
  const { address } = await server.start().catch(async (err: unknown) => {
    await controller.close();
    throw err;
  });
  return {
    address,
    controller,
    close: async () => {
      await server.close();
      await controller.close();
    },
  };
}

export function registerControllerProcessors(server: RemotingServer, controller: Controller): void {
  const answer = (fn: (req: RemotingCommand) => unknown) => (req: RemotingCommand): RemotingCommand => {
    try {
      return createResponse(req, { code: 0, body: jsonBody(fn(req)) });
    } catch (err) {
      if (err instanceof ControllerError) return createResponse(req, { code: err.code, remark: err.message });
      return createResponse(req, { code: ControllerResponseCode.CONTROLLER_INVALID_REQUEST, remark: (err as Error).message });
    }
  };
  const heartbeat = answer((req) => controller.heartbeat(heartbeatOf(req)));
  server.register(ControllerRequestCode.BROKER_HEARTBEAT, heartbeat);
  server.register(ControllerRequestCode.CONTROLLER_REGISTER_BROKER, heartbeat);
  server.register(ControllerRequestCode.CONTROLLER_GET_REPLICA_INFO, answer((req) => controller.replicaInfo(text(req, 'brokerName'))));
  server.register(ControllerRequestCode.CONTROLLER_ALTER_SYNC_STATE_SET, answer((req) => {
    const body = parseJsonObject(req.body, 'SyncStateSet');
    const set = body.syncStateSet;
    if (!Array.isArray(set) || !set.every((id) => Number.isInteger(id))) throw new Error('syncStateSet must be a list of broker ids');
    return controller.alterSyncStateSet(text(req, 'brokerName'), int(req, 'masterId'), int(req, 'masterEpoch'), int(req, 'syncStateSetEpoch'), set as number[]);
  }));
  server.register(ControllerRequestCode.CONTROLLER_ELECT_MASTER, answer((req) => {
    const id = req.extFields.brokerId;
    return controller.electMaster(text(req, 'brokerName'), id === undefined || id === '' ? undefined : int(req, 'brokerId'));
  }));
  server.register(ControllerRequestCode.CONTROLLER_GET_SYNC_STATE_DATA, answer(() => ({ groups: controller.syncStateData() })));
  server.register(ControllerRequestCode.CONTROLLER_GET_METADATA_INFO, answer(() => ({ isLeader: true, controllerLeaderAddress: '', peers: [] })));
}

function heartbeatOf(req: RemotingCommand): HeartbeatInput {
  const body = req.body && req.body.length > 0 ? parseJsonObject(req.body, 'heartbeat') : {};
  return {
    clusterName: text(req, 'clusterName'), brokerName: text(req, 'brokerName'), brokerId: int(req, 'brokerId'),
    address: text(req, 'brokerAddr'), haAddress: text(req, 'haServerAddr'), epoch: int(req, 'epoch'), maxOffset: int(req, 'maxOffset'),
    epochEntries: Array.isArray(body.epochEntries) ? (body.epochEntries as HeartbeatInput['epochEntries']) : [],
    ...(typeof body.configVersion === 'string' ? { configVersion: body.configVersion } : {}),
  };
}

function text(req: RemotingCommand, field: string): string {
  const v = req.extFields[field];
  if (v === undefined || v === '') throw new ControllerError(ControllerResponseCode.CONTROLLER_INVALID_REQUEST, `header field ${field} is missing`);
  return v;
}

function int(req: RemotingCommand, field: string): number {
  const n = Number(text(req, field));
  if (!Number.isSafeInteger(n)) throw new ControllerError(ControllerResponseCode.CONTROLLER_INVALID_REQUEST, `header field ${field} is not an integer`);
  return n;
}
