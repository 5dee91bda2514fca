/**
 * STOMP destinations → kernel topics, tags and consumer groups (DESIGN.md §5), the one
 * place that decides queue vs topic, durable names and temporary queues (as Artemis'
 * StompSession.addSubscription).
 *
 * | destination                  | kernel topic                 | subscription group                         | start  |
 * |------------------------------|------------------------------|--------------------------------------------|--------|
 * | `/queue/orders/created`      | `orders`, tag `created`      | `stomp-queue-orders%2Fcreated` (shared)    | FIRST  |
 * | `/topic/orders/created`      | `orders`, tag `created`      | `stomp-topic-<conn>-<n>` (own)             | LAST   |
 * | durable `/topic/...` name N  | same                         | `stomp-durable-<client-id>-<N>` (named)    | LAST   |
 * | `/temp-queue/N` (owner)      | `stomp-tmp-<conn>-<N>`, 1 q  | the topic's name                           | FIRST  |
 * | `/temp-topic/N` (owner)      | `stomp-tmpt-<conn>-<N>`, 1 q | `stomp-topic-<conn>-<n>` (own)             | LAST   |
 * | `/remote-temp-queue/<topic>` | `<topic>` (a reply-to target)| (send only)                                 |        |
 * | `/remote-temp-topic/<topic>` | `<topic>` (a reply-to target)| (send only)                                 |        |
 *
 * ACLs see queues and topics by their path (`orders/created`), temporary destinations
 * as `temp-queue/<kernel topic>` and `temp-topic/<kernel topic>` (a rule `temp-queue/#`
 * grants them all), for SEND, SUBSCRIBE and a reply-to naming one.
 *
 * Level 1 of the path is the topic, level 2 the tag; levels 3+ travel in `path`
 * (`orders/created/eu`, the protocol-neutral form MQTT uses too) and a subscription
 * receives only messages whose levels equal its own (JMS: destinations are names, not
 * patterns). LAST means "since the group was created" in the kernel, so a topic
 * subscriber sees everything sent after its SUBSCRIBE was answered.
 */
import { createHash } from 'node:crypto';
import { FilterType, type FilterSpec, type StoredMessage } from '../../kernel/index.js';
import { StompError, StompErrorCode } from './errors.js';

export const DestinationKind = {
  Queue: 'queue',
  Topic: 'topic',
  TempQueue: 'temp-queue',
  TempTopic: 'temp-topic',
  RemoteTempQueue: 'remote-temp-queue',
  RemoteTempTopic: 'remote-temp-topic',
} as const;
export type DestinationKind = (typeof DestinationKind)[keyof typeof DestinationKind];

const PREFIXES: ReadonlyArray<[string, DestinationKind]> = [
  ['/queue/', DestinationKind.Queue],
  ['/topic/', DestinationKind.Topic],
  ['/temp-queue/', DestinationKind.TempQueue],
  ['/temp-topic/', DestinationKind.TempTopic],
  ['/remote-temp-queue/', DestinationKind.RemoteTempQueue],
  ['/remote-temp-topic/', DestinationKind.RemoteTempTopic],
];

/** kernel topics of temporary queues start with this */
export const TEMP_TOPIC_PREFIX = 'stomp-tmp-';
/** kernel topics of temporary topics start with this */
export const TEMP_PUBSUB_PREFIX = 'stomp-tmpt-';
/** group and topic names the adapter builds stay below the kernel's 127 bytes minus `%RETRY%` */
const MAX_NAME_BYTES = 110;

export interface Destination {
  kind: DestinationKind;
  /** the destination as the client wrote it */
  raw: string;
  /** kernel topic */
  topic: string;
  tag: string | undefined;
  /** path levels (topic, tag, deeper levels) compared on delivery */
  levels: string[];
  /** protocol-neutral full path when deeper than topic/tag */
  path: string | undefined;
  /** what ACLs match (see the table above) */
  aclPath: string;
}

/** owner-side temporary destinations (`/temp-queue/`, `/temp-topic/`) */
export function isTemporary(kind: DestinationKind): boolean {
  return kind === DestinationKind.TempQueue || kind === DestinationKind.TempTopic;
}

/** the send-only forms other connections use (`/remote-temp-queue/`, `/remote-temp-topic/`) */
export function isRemoteTemporary(kind: DestinationKind): boolean {
  return kind === DestinationKind.RemoteTempQueue || kind === DestinationKind.RemoteTempTopic;
}

function invalid(raw: string, why: string): StompError {
  return new StompError(StompErrorCode.InvalidDestination, `invalid destination ${JSON.stringify(raw.slice(0, 200))}`, why);
}

/**
 * Parses a destination header. `connectionToken` scopes `/temp-queue/` names to the
 * connection that uses them.
 */
export function parseDestination(raw: string | undefined, connectionToken: string): Destination {
  if (raw === undefined || raw === '') throw new StompError(StompErrorCode.MissingHeader, 'missing destination header');
  const prefix = PREFIXES.find(([p]) => raw.startsWith(p));
  if (!prefix) throw invalid(raw, 'destinations start with /queue/, /topic/, /temp-queue/, /temp-topic/, /remote-temp-queue/ or /remote-temp-topic/');
  const [text, kind] = prefix;
  const name = raw.slice(text.length);
  if (name === '') throw invalid(raw, 'the destination name is empty');
  if (isTemporary(kind)) {
    const topic = tempTopic(connectionToken, name, kind === DestinationKind.TempTopic);
    return { kind, raw, topic, tag: undefined, levels: [topic], path: undefined, aclPath: `${kind}/${topic}` };
  }
  if (isRemoteTemporary(kind)) {
    const queue = kind === DestinationKind.RemoteTempQueue;
    if (!name.startsWith(queue ? TEMP_TOPIC_PREFIX : TEMP_PUBSUB_PREFIX) || name.includes('/')) {
      throw invalid(raw, queue ? 'not a temporary queue' : 'not a temporary topic');
    }
    const aclPath = `${queue ? DestinationKind.TempQueue : DestinationKind.TempTopic}/${name}`;
    return { kind, raw, topic: name, tag: undefined, levels: [name], path: undefined, aclPath };
  }
  const levels = name.split('/');
  if (levels.some((l) => l === '')) throw invalid(raw, 'empty path level');
  const [topic, tag] = levels as [string, string | undefined];
  return { kind, raw, topic, tag, levels, path: levels.length > 2 ? levels.join('/') : undefined, aclPath: levels.join('/') };
}

/** The kernel topic of a connection's temporary queue (or, `pubsub`, temporary topic). */
export function tempTopic(connectionToken: string, name: string, pubsub = false): string {
  return shorten(`${pubsub ? TEMP_PUBSUB_PREFIX : TEMP_TOPIC_PREFIX}${connectionToken}-${encodeName(name)}`);
}

/** The reply-to form of a temporary destination: what other connections send to. */
export function remoteTempDestination(topic: string): string {
  return topic.startsWith(TEMP_PUBSUB_PREFIX) ? `/remote-temp-topic/${topic}` : `/remote-temp-queue/${topic}`;
}

/** The levels a stored message was published to (path when present, else topic/tag). */
export function messageLevels(message: StoredMessage): string[] {
  if (message.path) {
    const prefix = PREFIXES.find(([p]) => message.path!.startsWith(p));
    const path = prefix ? message.path.slice(prefix[0].length) : message.path.replace(/^\//, '');
    const levels = path.split('/');
    // a path carrying its topic as the first level (MQTT, HTTP and STOMP all do)
    if (levels[0] === message.topic) return levels;
  }
  return message.tag ? [message.topic, message.tag] : [message.topic];
}

export function levelsMatch(subscription: readonly string[], message: readonly string[]): boolean {
  if (subscription.length !== message.length) return false;
  for (let i = 0; i < subscription.length; i++) if (subscription[i] !== message[i]) return false;
  return true;
}

export const groupNames = {
  queue: (dest: Destination): string => shorten(`stomp-queue-${encodeName(dest.levels.join('/'))}`),
  topic: (connectionToken: string, sequence: number): string => `stomp-topic-${connectionToken}-${sequence}`,
  durable: (clientId: string, name: string): string => shorten(`stomp-durable-${encodeName(clientId)}-${encodeName(name)}`),
} as const;

/**
 * Kernel names may not hold `/ + #` or control characters: those (and `%`, the escape
 * character) become `%XX`, so distinct STOMP names stay distinct kernel names.
 */
export function encodeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[%/+#\u0000-\u001f\u007f]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

/** Keeps names within the kernel's limit: long ones end in a hash of the whole. */
function shorten(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  let head = name.slice(0, MAX_NAME_BYTES - 17);
  while (Buffer.byteLength(head) > MAX_NAME_BYTES - 17) head = head.slice(0, -1);
  return `${head}~${hash}`;
}

/** selector → SQL92 (ANDed with the tag of the destination); a tag alone → a tag filter */
export function filterFor(destination: Destination, selector: string | undefined): FilterSpec | undefined {
  const tag = destination.kind === DestinationKind.Queue || destination.kind === DestinationKind.Topic ? destination.tag : undefined;
  if (selector !== undefined && selector.trim() !== '') {
    const expression = tag === undefined ? selector : `(TAGS = '${tag.replace(/'/g, "''")}') AND (${selector})`;
    return { type: FilterType.Sql92, expression };
  }
  return tag === undefined ? undefined : { type: FilterType.Tag, expression: tag };
}
