/**
 * The settings handshake (Telemetry): a client announces its settings, and the server
 * answers with the settings it must use, as the proxy's ClientActivity does:
 *   producer         its topics (this node relays their transaction check-backs to it), a
 *                    send retry policy (exponential, as clients require), the largest body
 *                    (the kernel's maxMessageSize) and message type validation
 *   push / simple /  its group and subscriptions; the group joins the kernel (a new group
 *   pull consumer    starts from now), and the retry policy says how many deliveries the
 *                    group gets (its maxReconsumeTimes + 1) before the dead-letter queue;
 *                    an orderly kernel group is a FIFO group
 * Anything else is UNRECOGNIZED_CLIENT_TYPE (unspecified) or UNSUPPORTED (lite).
 */
import { ClientType, type ClientSession } from './clients.js';
import { Code, RocketMqError } from './errors.js';
import { kernelName } from './message-map.js';
import { toDuration, type RetryPolicy, type Settings } from './proto.js';
import { filterOf } from './rpc/receive-message.js';
import { groupName, type RpcDeps } from './rpc/context.js';
import { joinGroup } from './rpc/heartbeat.js';

export const DEFAULT_PRODUCER_ATTEMPTS = 3;
export const DEFAULT_MAX_RECONSUME_TIMES = 16;
export const RECEIVE_BATCH_SIZE = 32;

/** send retries: 10 ms doubling up to 1 s (the proxy's default) */
function producerBackoff(maxAttempts: number): RetryPolicy {
  return { maxAttempts, exponentialBackoff: { initial: toDuration(10), max: toDuration(1_000), multiplier: 2 } };
}

/** redelivery backoff: RocketMQ's 10 s, 30 s, 1 min ... 2 h, approximated as 10 s doubling; FIFO retries locally from 1 s */
function consumerBackoff(maxAttempts: number, fifo: boolean): RetryPolicy {
  return fifo
    ? { maxAttempts, exponentialBackoff: { initial: toDuration(1_000), max: toDuration(60_000), multiplier: 2 } }
    : { maxAttempts, exponentialBackoff: { initial: toDuration(10_000), max: toDuration(7_200_000), multiplier: 2 } };
}

async function producerSettings(deps: RpcDeps, session: ClientSession, settings: Settings): Promise<Settings> {
  const topics = settings.publishing?.topics ?? [];
  for (const t of topics) {
    const topic = kernelName(t, session.namespace);
    if (topic === '') continue;
    deps.auth.authorize(session.principal, 'publish', topic);
    session.publishing.add(topic);
  }
  for (const topic of session.publishing) deps.transactions.watch(topic);
  return {
    clientType: ClientType.Producer,
    ...(settings.accessPoint ? { accessPoint: settings.accessPoint } : {}),
    backoffPolicy: producerBackoff(settings.backoffPolicy?.maxAttempts || DEFAULT_PRODUCER_ATTEMPTS),
    ...(settings.requestTimeout ? { requestTimeout: settings.requestTimeout } : {}),
    publishing: { topics, maxBodySize: deps.config.maxMessageSize, validateMessageType: true },
    ...(settings.userAgent ? { userAgent: settings.userAgent } : {}),
  };
}

async function consumerSettings(deps: RpcDeps, session: ClientSession, settings: Settings): Promise<Settings> {
  const subscription = settings.subscription ?? {};
  session.group = groupName(subscription.group, session.namespace);
  session.subscriptions = (subscription.subscriptions ?? []).map((entry) => {
    const topic = kernelName(entry.topic, session.namespace);
    if (topic === '') throw new RocketMqError(Code.IllegalTopic, 'subscription topic is required');
    deps.auth.authorize(session.principal, 'subscribe', topic);
    return { topic, filter: filterOf(entry.expression) };
  });
  await joinGroup(deps, session);
  const group = await deps.kernel.brokerApi.getGroup(session.group);
  const fifo = group?.orderly ?? false;
  session.fifo = fifo;
  const maxAttempts = (group?.maxReconsumeTimes ?? DEFAULT_MAX_RECONSUME_TIMES) + 1;
  return {
    clientType: session.clientType,
    ...(settings.accessPoint ? { accessPoint: settings.accessPoint } : {}),
    backoffPolicy: consumerBackoff(maxAttempts, fifo),
    ...(settings.requestTimeout ? { requestTimeout: settings.requestTimeout } : {}),
    subscription: {
      ...(subscription.group ? { group: subscription.group } : {}),
      subscriptions: subscription.subscriptions ?? [],
      fifo,
      receiveBatchSize: RECEIVE_BATCH_SIZE,
      longPollingTimeout: toDuration(deps.config.consumerLongPollingMs),
    },
    ...(settings.userAgent ? { userAgent: settings.userAgent } : {}),
  };
}

/** records the client's settings and answers with the ones it must use; throws RocketMqError */
export async function handshake(deps: RpcDeps, session: ClientSession, settings: Settings): Promise<Settings> {
  const type = (settings.clientType ?? session.clientType) as ClientType;
  switch (type) {
    case ClientType.Producer:
      session.clientType = type;
      return producerSettings(deps, session, settings);
    case ClientType.PushConsumer:
    case ClientType.SimpleConsumer:
    case ClientType.PullConsumer:
      session.clientType = type;
      return consumerSettings(deps, session, settings);
    case ClientType.Unspecified:
      throw new RocketMqError(Code.UnrecognizedClientType, 'settings must name the client type');
    default:
      throw new RocketMqError(Code.Unsupported, `client type ${type} is not supported by this server (producer, push, simple and pull consumers are)`);
  }
}
