/**
 * What every RPC handler gets: the adapter's services (RpcDeps) and the call's context
 * (client id, principal, namespace, session), and the wrapper that turns a handler's
 * result or failure into the response: a RocketMQ Status in the response message, as
 * the proxy answers, never a gRPC error (except UNIMPLEMENTED).
 *
 * Every call must name its client (`x-mq-client-id`, else CLIENT_ID_REQUIRED) and pass
 * authentication (auth.ts) before its handler runs.
 */
import type { Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { KernelClient, Producer, SimpleConsumer } from '../../../kernel/index.js';
import type { Principal } from '../../common/auth.js';
import type { RocketMqAuth } from '../auth.js';
import type { ClientRegistry, ClientSession } from '../clients.js';
import type { ResolvedRocketMqConfig } from '../config.js';
import type { AutoRenewTable } from '../deliveries.js';
import { Code, RocketMqError, isInternal, toStatus } from '../errors.js';
import type { Endpoints, Resource, Status } from '../proto.js';
import type { TransactionCheckRelay } from '../transactions.js';

export interface RpcCounters {
  messagesIn: number;
  messagesOut: number;
  errors: number;
}

export interface RpcDeps {
  kernel: KernelClient;
  auth: RocketMqAuth;
  config: ResolvedRocketMqConfig;
  logger: Logger;
  clients: ClientRegistry;
  deliveries: AutoRenewTable;
  transactions: TransactionCheckRelay;
  producer: Producer;
  /** the node's pop consumer of a group (they hold no broker state) */
  consumerOf(group: string): SimpleConsumer;
  counters: RpcCounters;
  /** counts an error status answered (stats and the rocketmq_errors_total metric) */
  countError(code: string): void;
  /** this listener's address, for clients that sent no access point */
  endpoints(): Endpoints;
  /** releases what a client held: kernel membership, auto-renewed deliveries */
  forgetClient(session: ClientSession): Promise<void>;
}

export interface CallContext {
  clientId: string;
  principal: Principal | undefined;
  namespace: string;
  session: ClientSession;
  /** epoch ms by which the client stops waiting (Infinity without a deadline) */
  deadline: number;
}

export const Header = {
  ClientId: 'x-mq-client-id',
  Namespace: 'x-mq-namespace',
  DateTime: 'x-mq-date-time',
  Authorization: 'authorization',
} as const;

function header(metadata: Metadata, name: string): string | undefined {
  const value = metadata.get(name)[0];
  return value === undefined ? undefined : String(value);
}

export function deadlineOf(deadline: Date | number | undefined): number {
  if (deadline === undefined) return Infinity;
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : Infinity;
}

export function callContext(deps: RpcDeps, metadata: Metadata, deadline: Date | number | undefined): CallContext {
  const clientId = header(metadata, Header.ClientId);
  if (!clientId) throw new RocketMqError(Code.ClientIdRequired, `the ${Header.ClientId} header is required`);
  const principal = deps.auth.authenticate(header(metadata, Header.Authorization), header(metadata, Header.DateTime));
  const namespace = header(metadata, Header.Namespace) ?? '';
  const session = deps.clients.touch(clientId, namespace, principal);
  return { clientId, principal, namespace, session, deadline: deadlineOf(deadline) };
}

/** logs a failure that is not the client's fault; counts every failure */
export function reportFailure(deps: RpcDeps, rpc: string, err: unknown): Status {
  if (isInternal(err)) deps.logger.error({ err, rpc }, 'RocketMQ call failed');
  const answer = toStatus(err);
  deps.countError(answer.code);
  return answer;
}

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext, deps: RpcDeps) => Promise<Res>;

/** a unary RPC whose response carries `status`: the handler's answer, or the failure as a status */
export function unary<Req, Res extends { status?: Status }>(deps: RpcDeps, rpc: string, handler: UnaryHandler<Req, Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const run = async (): Promise<Res> => {
      try {
        const ctx = callContext(deps, call.metadata, call.getDeadline());
        return await handler(call.request, ctx, deps);
      } catch (err) {
        return { status: reportFailure(deps, rpc, err) } as Res;
      }
    };
    void run().then((res) => callback(null, res));
  };
}

/** the kernel group a request names; ILLEGAL_CONSUMER_GROUP when absent or not a valid name */
export function groupName(resource: Resource | undefined, namespace: string): string {
  const name = resource?.name;
  const ns = resource?.resourceNamespace || namespace;
  // eslint-disable-next-line no-control-regex
  if (!name || Buffer.byteLength(name) > 120 || /[/+#\u0000-\u001f\u007f]/.test(name)) {
    throw new RocketMqError(Code.IllegalConsumerGroup, `consumer group ${JSON.stringify(name ?? '')} is not valid: 1 to 120 bytes without / + # or control characters`);
  }
  return ns === '' ? name : `${ns}%${name}`;
}
