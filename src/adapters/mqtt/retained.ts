/**
 * Retained messages (§3.3.1.3), stored in the kernel topic `$mqtt-retained` (a
 * KvTable keyed by MQTT topic, followed so every gateway node sees every retained
 * message) and indexed in memory by topic for SUBSCRIBE. A retained PUBLISH replaces
 * the topic's retained message [MQTT-3.3.1-5]; an empty payload removes it and is
 * not stored [MQTT-3.3.1-10] [MQTT-3.3.1-11] (v5 [MQTT-3.3.1-6] [MQTT-3.3.1-7]).
 * The kernel topic starts with `$`, so no MQTT client can publish into it and no
 * level-1 wildcard spans it [MQTT-4.7.2-1].
 */
import type { KernelClient, Message, StoredMessage } from '../../kernel/index.js';
import type { Logger } from 'pino';
import { KvTable } from './kv-table.js';
import { topicMatches } from './topic-filter.js';

export const RETAINED_TOPIC = '$mqtt-retained';
const ORIGIN_TOPIC = 'mqtt.kv.topic';
const EXPIRE_AT = 'mqtt.kv.expireAt';

interface TopicNode {
  children: Map<string, TopicNode>;
  /** the MQTT topic ending here, when a retained message exists for it */
  topic?: string;
}

export class RetainedStore {
  private readonly table: KvTable<Message>;
  private readonly root: TopicNode = { children: new Map() };

  constructor(kernel: KernelClient, nodeId: string, logger: Logger) {
    this.table = new KvTable<Message>({
      kernel,
      topic: RETAINED_TOPIC,
      group: `mqtt-retained-${nodeId}`,
      logger,
      follow: true,
      codec: { encode, decode },
      onChange: (key, value) => (value ? this.index(key) : this.unindex(key)),
    });
  }

  get size(): number {
    return this.table.size;
  }

  open(): Promise<void> {
    return this.table.open();
  }

  close(): Promise<void> {
    return this.table.close();
  }

  refresh(maxAgeMs: number): Promise<number> {
    return this.table.refresh(maxAgeMs);
  }

  /** reads what other gateway nodes retained up to now (before a SUBSCRIBE sends the matching ones) */
  sync(): Promise<void> {
    return this.table.sync();
  }

  /** `message` is the kernel form of a retained PUBLISH on `mqttTopic` */
  set(mqttTopic: string, message: Message): Promise<void> {
    if (message.body.length === 0) return this.table.delete(mqttTopic);
    return this.table.put(mqttTopic, message);
  }

  get(mqttTopic: string): Message | undefined {
    return this.table.get(mqttTopic);
  }

  /** retained messages whose topic matches `filter` and which have not expired */
  match(filter: string): Message[] {
    const out: Message[] = [];
    const now = Date.now();
    for (const topic of this.topicsMatching(filter)) {
      const m = this.table.get(topic);
      if (m && (m.expireAt === undefined || m.expireAt > now)) out.push(m);
    }
    return out;
  }

  /** the MQTT topics with a retained message matching `filter`, expired or not (admin views) */
  topicsMatching(filter: string): string[] {
    const found: string[] = [];
    const levels = filter.split('/');
    const walk = (node: TopicNode, i: number): void => {
      if (i === levels.length) {
        if (node.topic !== undefined) found.push(node.topic);
        return;
      }
      const level = levels[i]!;
      if (level === '#') {
        collect(node, found);
        return;
      }
      if (level === '+') {
        for (const child of node.children.values()) walk(child, i + 1);
        return;
      }
      const child = node.children.get(level);
      if (child) walk(child, i + 1);
    };
    walk(this.root, 0);
    // the trie walk ignores the `$` rule and `#` matching its parent; topicMatches settles both [MQTT-4.7.2-1]
    return found.filter((t) => topicMatches(filter, t));
  }

  private index(topic: string): void {
    let node = this.root;
    for (const level of topic.split('/')) {
      let next = node.children.get(level);
      if (!next) node.children.set(level, (next = { children: new Map() }));
      node = next;
    }
    node.topic = topic;
  }

  private unindex(topic: string): void {
    const path: Array<[TopicNode, string]> = [];
    let node = this.root;
    for (const level of topic.split('/')) {
      const next = node.children.get(level);
      if (!next) return;
      path.push([node, level]);
      node = next;
    }
    node.topic = undefined;
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, level] = path[i]!;
      const child = parent.children.get(level)!;
      if (child.topic !== undefined || child.children.size > 0) break;
      parent.children.delete(level);
    }
  }
}

/** `#` also matches the parent level: include the node itself and everything below */
function collect(node: TopicNode, out: string[]): void {
  if (node.topic !== undefined) out.push(node.topic);
  for (const child of node.children.values()) collect(child, out);
}

function encode(m: Message): Omit<Message, 'topic'> {
  // a retained record is never delayed, whatever the message was
  const { topic, expireAt, deliverAt: _deliverAt, delayLevel: _delayLevel, ...rest } = m;
  const properties: Record<string, string> = { ...m.properties, [ORIGIN_TOPIC]: topic };
  if (expireAt !== undefined) properties[EXPIRE_AT] = String(expireAt);
  return { ...rest, properties };
}

function decode(record: StoredMessage): Message | undefined {
  const props = { ...record.properties };
  const topic = props[ORIGIN_TOPIC];
  if (topic === undefined) return undefined;
  const expireAt = props[EXPIRE_AT] === undefined ? undefined : Number(props[EXPIRE_AT]);
  delete props[ORIGIN_TOPIC];
  delete props[EXPIRE_AT];
  const m: Message = { topic, body: record.body, properties: props };
  if (record.tag !== undefined) m.tag = record.tag;
  if (record.path !== undefined) m.path = record.path;
  if (record.contentType !== undefined) m.contentType = record.contentType;
  if (record.correlationId !== undefined) m.correlationId = record.correlationId;
  if (record.replyTo !== undefined) m.replyTo = record.replyTo;
  if (record.keys !== undefined) m.keys = record.keys;
  if (expireAt !== undefined && Number.isFinite(expireAt)) m.expireAt = expireAt;
  return m;
}
