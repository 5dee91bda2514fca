/**
 * MQTT 3.1.1 and MQTT 5 with the `mqtt` package over TCP (DESIGN.md §5, MQTT column):
 * topic level 1 = kernel topic, level 2 = tag, the whole topic = path; MQTT 5 user
 * properties carry properties, `keys` (space separated) and `deliverAt`; content type
 * and message expiry are MQTT 5 properties. The sharding key is the publishing client
 * id, so the publisher keeps one connection per sharding key.
 */
import mqtt, { type IClientOptions, type IClientPublishOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { Inbox } from './inbox.js';
import {
  fullPath, uniqueName, type Limits, type MessageSpec, type Published, type PublisherDriver, type Received,
  type SubscribeOptions, type SubscriberDriver, type Subscription,
} from './types.js';

type Version = 4 | 5;

const V311_LIMITS: Limits = {
  keys: 'MQTT 3.1.1 has no user properties, so no `keys` (DESIGN.md §5 maps keys to an MQTT 5 user property)',
  properties: 'MQTT 3.1.1 has no user properties (they are MQTT 5 §3.3.2.3.7)',
  contentType: 'MQTT 3.1.1 has no content type (an MQTT 5 PUBLISH property, §3.3.2.3.9)',
  delay: 'delay is the MQTT 5 user property `deliverAt`; MQTT 3.1.1 has no user properties',
  ttl: 'TTL is the MQTT 5 message expiry interval (§3.3.2.3.3); MQTT 3.1.1 has none',
  expiry: 'MQTT 3.1.1 has no message expiry interval to show when a message expires',
};
const NO_NACK = 'MQTT has no negative acknowledgement: PUBACK/PUBREC end the exchange whatever the outcome, so a subscriber cannot send a message back for redelivery';

/** shared subscriptions rebalance their kernel group every second (adapters/mqtt/shared-delivery.ts) */
const SHARED_REBALANCE_MS = 1_000;
/** MQTT 5 Receive Maximum we stay under when pipelining QoS 1 publishes */
const PUBLISH_WINDOW = 32;

/** `setup` runs before CONNECT: a resumed session's messages may follow CONNACK in the same read */
function connect(url: string, options: IClientOptions, setup?: (client: MqttClient) => void): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  setup?.(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

function publishOptions(spec: MessageSpec, version: Version): IClientPublishOptions {
  const options: IClientPublishOptions = { qos: spec.qos ?? 1 };
  const user: Record<string, string> = { ...spec.properties };
  if (spec.keys?.length) user.keys = spec.keys.join(' ');
  const deliverAt = spec.deliverAt ?? (spec.delayMs === undefined ? undefined : Date.now() + spec.delayMs);
  if (deliverAt !== undefined) user.deliverAt = String(deliverAt);
  const hasV5 = Object.keys(user).length > 0 || spec.contentType !== undefined || spec.ttlMs !== undefined;
  if (version === 4) {
    if (hasV5) throw new Error('MQTT 3.1.1 cannot carry keys, properties, content type, delay or TTL: the cell should be n/a');
    return options;
  }
  options.properties = {};
  if (Object.keys(user).length > 0) options.properties.userProperties = user;
  if (spec.contentType !== undefined) options.properties.contentType = spec.contentType;
  if (spec.ttlMs !== undefined) options.properties.messageExpiryInterval = Math.ceil(spec.ttlMs / 1000);
  return options;
}

export class MqttPublisher implements PublisherDriver {
  readonly name;
  readonly limits: Limits;
  private readonly clients = new Map<string, Promise<MqttClient>>();

  /** `url`: the server's MQTT listener, known once it started */
  constructor(private readonly url: () => string, private readonly version: Version) {
    this.name = version === 4 ? 'MQTT 3.1.1' as const : 'MQTT 5' as const;
    this.limits = version === 4 ? V311_LIMITS : {};
  }

  /** the connection whose client id is the sharding key (one per key, shared by every cell) */
  private clientFor(shardingKey: string | undefined): Promise<MqttClient> {
    const clientId = `pub${this.version}-${shardingKey ?? 'default'}`;
    let client = this.clients.get(clientId);
    if (!client) {
      client = connect(this.url(), { protocolVersion: this.version, clientId, clean: true });
      this.clients.set(clientId, client);
    }
    return client;
  }

  async publish(spec: MessageSpec): Promise<Published> {
    const client = await this.clientFor(spec.shardingKey);
    await client.publishAsync(fullPath(spec), spec.body, publishOptions(spec, this.version));
    return {};
  }

  /** pipelined: PUBLISH packets leave in call order on one connection per sharding key */
  async publishAll(specs: MessageSpec[]): Promise<void> {
    const window: Array<Promise<unknown>> = [];
    for (const spec of specs) {
      const client = await this.clientFor(spec.shardingKey);
      const sent = client.publishAsync(fullPath(spec), spec.body, publishOptions(spec, this.version));
      sent.catch(() => undefined); // observed: a failure is thrown where it is awaited, never left unhandled
      window.push(sent);
      if (window.length >= PUBLISH_WINDOW) await window.shift();
    }
    await Promise.all(window);
  }

  async close(): Promise<void> {
    const clients = await Promise.allSettled([...this.clients.values()]);
    await Promise.all(clients.map((c) => (c.status === 'fulfilled' ? c.value.endAsync() : undefined)));
  }
}

function normalise(topic: string, payload: Buffer, packet: IPublishPacket, version: Version, member: string): Received {
  const levels = topic.split('/');
  const received: Received = { body: Buffer.from(payload), path: topic, at: Date.now(), member };
  if (levels[1] !== undefined) received.tag = levels[1];
  if (version === 4) return received;
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(packet.properties?.userProperties ?? {})) {
    const text = Array.isArray(value) ? value.join(',') : value;
    if (name === 'keys') received.keys = text.split(/\s+/).filter((k) => k !== '');
    else properties[name] = text;
  }
  received.properties = properties;
  received.keys ??= [];
  if (packet.properties?.contentType !== undefined) received.contentType = packet.properties.contentType;
  // the remaining interval in whole seconds [MQTT-3.3.2-6]
  if (packet.properties?.messageExpiryInterval !== undefined) received.expiresAt = received.at + packet.properties.messageExpiryInterval * 1000;
  return received;
}

export class MqttSubscriber implements SubscriberDriver {
  readonly name;
  readonly limits: Limits;
  readonly blocked: Limits = {};
  readonly rebalanceMs = SHARED_REBALANCE_MS + 500;

  constructor(private readonly url: () => string, private readonly version: Version) {
    this.name = version === 4 ? 'MQTT 3.1.1' as const : 'MQTT 5' as const;
    const { keys, properties, contentType, expiry } = V311_LIMITS;
    this.limits = version === 4
      ? { keys, properties, contentType, expiry, nack: NO_NACK, deadLetter: NO_NACK }
      : { nack: NO_NACK, deadLetter: NO_NACK };
  }

  async subscribe(o: SubscribeOptions): Promise<Subscription> {
    if (o.settle || o.maxDeliveries !== undefined) throw new Error(NO_NACK);
    const url = this.url();
    const { version } = this;
    const member = o.member ?? 'mqtt';
    const inbox = new Inbox();
    const clientId = uniqueName(`sub${version}`);
    if (o.filter && o.filter.kind !== 'mqtt') throw new Error(`MQTT subscriptions filter by topic filter, not ${o.filter.kind}`);
    let filter = o.filter?.kind === 'mqtt' ? o.filter.filter : o.tag === undefined ? `${o.topic}/#` : `${o.topic}/${o.tag}`;
    if (o.group !== undefined) filter = `$share/${o.group}/${filter}`;
    const session: IClientOptions = o.durable
      ? { clean: false, ...(version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}) }
      : { clean: true };
    const open = (): Promise<MqttClient> => connect(url, { protocolVersion: version, clientId, ...session }, (c) => {
      c.on('message', (topic, payload, packet) => inbox.push(normalise(topic, payload, packet, version, member)));
      c.on('error', (err) => inbox.error(`mqtt: ${err.message}`));
    });
    let client: MqttClient | undefined = await open();
    await client.subscribeAsync(filter, { qos: 1 });
    return {
      inbox,
      pause: async () => {
        await client?.endAsync();
        client = undefined;
      },
      resume: async () => {
        // the persistent session resumes with its subscription [MQTT-3.1.2-4]
        client = await open();
      },
      close: async () => {
        await client?.endAsync();
        client = undefined;
        if (o.durable) {
          // Clean Start discards the session [MQTT-3.1.2-6]
          const cleaner = await connect(url, { protocolVersion: version, clientId, clean: true });
          await cleaner.endAsync();
        }
      },
    };
  }
}
