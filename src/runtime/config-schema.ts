/**
 * The one JSON Schema of the whole configuration, and the `Config` type it describes.
 *
 * Every leaf carries its `default` and `description`; the CLI flags, the environment
 * variable names, `--help` and the README table are all derived from this schema
 * (config-keys.ts, config-doc.ts), so a key added here is reachable everywhere at once.
 * Objects are closed (`additionalProperties: false`): an unknown key is an error.
 */
import type { SchemaObject } from 'ajv';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const TOPIC_ACTIONS = ['publish', 'subscribe'] as const;

export interface AclRule {
  /** MQTT-style filter over `topic/path`: `+` one level, `#` the rest, `%u` the username */
  pattern: string;
  actions: Array<(typeof TOPIC_ACTIONS)[number]>;
}

export interface UserConfig {
  username: string;
  /** `scrypt$N$r$p$salt$hash` from `rocketgate hash-password` (user-auth.ts) */
  passwordHash: string;
  admin: boolean;
  readOnly: boolean;
  /** opaque bearer tokens for HTTP; each is a secret of at least 16 characters */
  tokens: string[];
  acl: AclRule[];
}

export interface TlsConfig {
  certFile: string | null;
  keyFile: string | null;
}

/** TLS of a listener that can verify client certificates */
export interface TlsWithCaConfig extends TlsConfig {
  caFile: string | null;
}

export interface Config {
  dataDir: string;
  nodeId: string | null;
  host: string;
  flush: 'async' | 'sync';
  flushIntervalMs: number;
  segmentSize: number;
  maxMessageSize: number;
  defaultQueueCount: number;
  autoCreateTopics: boolean;
  fileReservedHours: number;
  maxReconsumeTimes: number;
  retryBackoffMs: number[] | null;
  shutdownTimeoutMs: number;
  nameserverPort: number;
  brokerPort: number;
  allowAnonymous: boolean;
  anonymousAcl: AclRule[];
  users: UserConfig[];
  log: { level: LogLevel };
  mqtt: {
    enabled: boolean;
    port: number;
    wsPort: number | null;
    maxPacketSize: number;
    sessionMaxMessages: number;
    maxInflight: number;
    tls: TlsConfig;
  };
  stomp: {
    enabled: boolean;
    port: number;
    wsPort: number | null;
    maxFrameBytes: number;
    maxHeaders: number;
    maxHeaderBytes: number;
    heartBeatMs: [number, number];
    maxConnections: number | null;
    defaultPrefetch: number;
    tls: TlsWithCaConfig;
  };
  http: {
    enabled: boolean;
    port: number;
    maxBodyBytes: number;
    idempotencyWindowMs: number;
    tls: TlsConfig;
  };
  rocketmq: {
    enabled: boolean;
    port: number;
    tls: TlsConfig;
  };
  cluster: ClusterConfig;
}

export const BROKER_ROLES = ['SYNC_MASTER', 'ASYNC_MASTER', 'SLAVE'] as const;
export const TIMER_PROFILES = ['default', 'fast'] as const;

/** the `nameserver`, `broker` and `gateway` roles (roles.ts); timers left null take the `timers` profile */
export interface ClusterConfig {
  name: string;
  nameServers: string;
  brokerName: string;
  brokerId: number;
  role: (typeof BROKER_ROLES)[number];
  haPort: number | null;
  storeHost: string | null;
  timers: (typeof TIMER_PROFILES)[number];
  registerIntervalMs: number | null;
  brokerExpiryMs: number | null;
  scanIntervalMs: number | null;
  routeRefreshMs: number | null;
  masterDownMs: number | null;
  requestTimeoutMs: number | null;
  haHeartbeatMs: number | null;
  haHousekeepingMs: number | null;
  haReconnectMs: number | null;
  slaveSyncIntervalMs: number | null;
  syncTimeoutMs: number | null;
  faultNotAvailableMs: number[] | null;
  controller: boolean;
  controllerPort: number;
  controllerAddrs: string | null;
  allAckInSyncStateSet: boolean;
  minInSyncReplicas: number;
  uncleanElection: boolean;
  controllerHeartbeatMs: number | null;
  controllerBrokerTimeoutMs: number | null;
}

const MiB = 1024 * 1024;

const int = (def: number | null, description: string, min = 0, max?: number, nullable = def === null): SchemaObject => ({
  type: nullable ? ['integer', 'null'] : 'integer',
  minimum: min,
  ...(max === undefined ? {} : { maximum: max }),
  default: def,
  description,
});
const port = (def: number, description: string, nullable = false): SchemaObject =>
  int(def, `${description}; 0 = any free port${nullable ? '; null or off = no listener' : ''}`, 0, 65535, nullable);
const bool = (def: boolean, description: string): SchemaObject => ({ type: 'boolean', default: def, description });
const str = (def: string | null, description: string): SchemaObject => ({
  type: def === null ? ['string', 'null'] : 'string',
  ...(def === null ? {} : { minLength: 1 }),
  default: def,
  description,
});
const section = (description: string, properties: Record<string, SchemaObject>): SchemaObject => ({
  type: 'object', additionalProperties: false, description, properties,
});
const tls = (listeners: string, withCa = false): SchemaObject => section(`TLS for ${listeners}: on when certFile and keyFile are set`, {
  certFile: str(null, `PEM certificate chain file; TLS on ${listeners}`),
  keyFile: str(null, 'PEM private key file'),
  ...(withCa ? { caFile: str(null, 'PEM CA bundle of client certificates (optional)') } : {}),
});

const aclRules: SchemaObject = {
  type: 'array',
  items: {
    type: 'object', additionalProperties: false, required: ['pattern', 'actions'],
    properties: {
      pattern: { type: 'string', minLength: 1 },
      actions: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...TOPIC_ACTIONS] } },
    },
  },
};
export const FULL_ACCESS: AclRule[] = [{ pattern: '#', actions: ['publish', 'subscribe'] }];

export const SCRYPT_HASH_PATTERN = '^scrypt\\$\\d+\\$\\d+\\$\\d+\\$[A-Za-z0-9+/]+=*\\$[A-Za-z0-9+/]+=*$';

export const configSchema: SchemaObject = {
  $id: 'rocketgate-config',
  type: 'object',
  additionalProperties: false,
  properties: {
    dataDir: str('./data', 'directory of the commit log, consume queues, index and metadata'),
    nodeId: str(null, 'name of this node in admin views and MQTT session ownership; null = the host name'),
    host: str('0.0.0.0', 'address every listener binds to'),
    flush: { enum: ['async', 'sync'], default: 'async', description: 'async: flush on an interval; sync: acknowledge a send only after fsync' },
    flushIntervalMs: int(500, 'async flush interval (ms)', 1),
    segmentSize: int(1024 * MiB, 'commit log segment file size (bytes)', 64 * 1024),
    maxMessageSize: int(4 * MiB, 'largest message (body + properties, bytes) any protocol may store', 1),
    defaultQueueCount: int(8, 'queues of an auto-created topic', 1, 1024),
    autoCreateTopics: bool(true, 'create a topic on its first publish'),
    fileReservedHours: int(72, 'commit log segments older than this are deleted (hours)', 1),
    maxReconsumeTimes: int(16, "a new consumer group's redeliveries of a failed message before its dead-letter topic", 0, 1000),
    retryBackoffMs: {
      type: ['array', 'null'], items: { type: 'integer', minimum: 1 }, minItems: 1, default: null,
      description: "delay before redelivery n of a failed message (ms, comma list; the last repeats); null = RocketMQ's 10s 30s 1m 2m ... 2h",
    },
    shutdownTimeoutMs: int(10_000, 'graceful stop deadline after SIGINT/SIGTERM (ms)', 100),
    nameserverPort: port(9876, 'nameserver listener (clustering)'),
    brokerPort: port(10911, 'broker remoting listener (clustering)'),
    allowAnonymous: bool(true, 'accept clients without credentials (they get anonymousAcl)'),
    anonymousAcl: { ...aclRules, default: FULL_ACCESS, description: 'topic rights of anonymous clients (JSON list of {pattern, actions})' },
    users: {
      type: 'array',
      default: [],
      description: 'accounts (JSON list of {username, passwordHash, admin, readOnly, tokens, acl})',
      items: {
        type: 'object', additionalProperties: false, required: ['username', 'passwordHash'],
        properties: {
          username: { type: 'string', minLength: 1, pattern: '^(?!anonymous$)[^:]+$' },
          passwordHash: { type: 'string', pattern: SCRYPT_HASH_PATTERN },
          admin: { type: 'boolean', default: false },
          readOnly: { type: 'boolean', default: false },
          tokens: { type: 'array', default: [], items: { type: 'string', minLength: 16 } },
          acl: { ...aclRules, default: FULL_ACCESS },
        },
      },
    },
    log: section('logging (JSON lines on stderr)', {
      level: { enum: [...LOG_LEVELS], default: 'warn', description: 'log level' },
    }),
    mqtt: section('MQTT 3.1.1 / 5.0', {
      enabled: bool(true, 'start the MQTT listeners'),
      port: port(1883, 'MQTT over TCP'),
      wsPort: port(8083, 'MQTT over WebSocket (path /mqtt)', true),
      maxPacketSize: int(4 * MiB + 64 * 1024, 'largest MQTT packet accepted (bytes)', 16, 268_435_455),
      sessionMaxMessages: int(10_000, 'messages queued for one offline persistent session', 1),
      maxInflight: int(100, 'unacknowledged QoS 1/2 messages per client', 1, 65_535),
      tls: tls('the MQTT listeners'),
    }),
    stomp: section('STOMP 1.0 / 1.1 / 1.2', {
      enabled: bool(true, 'start the STOMP listeners'),
      port: port(61613, 'STOMP over TCP'),
      wsPort: port(61614, 'STOMP over WebSocket', true),
      maxFrameBytes: int(4 * MiB + 64 * 1024, 'largest STOMP frame accepted (bytes)', 64),
      maxHeaders: int(1000, 'headers per frame', 1),
      maxHeaderBytes: int(10 * 1024, 'bytes of one header line', 16),
      heartBeatMs: {
        type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2, default: [10_000, 10_000],
        description: 'heart-beat the server offers: send,receive (ms; 0 = none)',
      },
      maxConnections: int(null, 'concurrent STOMP connections; null = unlimited', 1),
      defaultPrefetch: int(100, 'unacknowledged messages per subscription when SUBSCRIBE names no prefetch-count', 1),
      tls: tls('the STOMP listeners', true),
    }),
    http: section('HTTP API, server-sent events, webhooks, dashboard', {
      enabled: bool(true, 'start the HTTP listener'),
      port: port(8080, 'HTTP'),
      maxBodyBytes: int(6 * MiB, 'largest request body (bytes; JSON bodies carry base64)', 1024),
      idempotencyWindowMs: int(86_400_000, 'how long an Idempotency-Key is remembered (ms)', 0),
      tls: tls('the HTTP listener'),
    }),
    rocketmq: section('RocketMQ 5 gRPC (Apache RocketMQ clients; access key = username, secret = one of its tokens)', {
      enabled: bool(true, 'start the RocketMQ gRPC listener'),
      port: port(8081, 'RocketMQ 5 gRPC (MessagingService)'),
      tls: tls('the RocketMQ listener'),
    }),
    cluster: section('the nameserver, broker and gateway roles (`rocketgate nameserver|broker|gateway`); timers left null follow `timers`', {
      name: str('DefaultCluster', 'cluster name a broker registers under; a gateway uses only its broker groups'),
      nameServers: str('127.0.0.1:9876', 'nameserver addresses host:port, separated by ; or , (RocketMQ namesrvAddr)'),
      brokerName: str('broker-a', 'broker group name: a master and its slaves share it'),
      brokerId: int(0, 'id in the broker group: 0 = master, 1 and up = slaves', 0),
      role: { enum: [...BROKER_ROLES], default: 'ASYNC_MASTER', description: 'SYNC_MASTER: a send is acknowledged once a slave has it; ASYNC_MASTER: after the local store; SLAVE: replicates its master' },
      haPort: int(null, 'master replication listener (RocketMQ HA); null = brokerPort + 1', 0, 65535),
      storeHost: str(null, 'IPv4 address clients reach this broker at, written into message ids (RocketMQ brokerIP1); null = the first non-loopback IPv4 address, else 127.0.0.1'),
      timers: { enum: [...TIMER_PROFILES], default: 'default', description: 'default: RocketMQ\'s timers; fast: sub-second ones (tests, demos)' },
      registerIntervalMs: int(null, 'broker registration with every nameserver (ms); null = 30000, fast 500', 10),
      brokerExpiryMs: int(null, 'a nameserver drops a broker silent this long (ms); null = 120000, fast 3000', 100),
      scanIntervalMs: int(null, 'how often a nameserver looks for silent brokers (ms); null = 5000, fast 200', 10),
      routeRefreshMs: int(null, 'gateway: route and cluster refresh (ms); null = 30000, fast 500', 10),
      masterDownMs: int(null, 'gateway: reads avoid a master that failed a call this long (ms); null = 30000, fast 1000', 10),
      requestTimeoutMs: int(null, 'gateway: timeout of a call to a broker (ms); null = 3000, fast 2000', 10),
      haHeartbeatMs: int(null, 'replication heartbeat (ms); null = 5000, fast 200', 10),
      haHousekeepingMs: int(null, 'a replication connection silent this long is dropped (ms); null = 20000, fast 2000', 100),
      haReconnectMs: int(null, 'slave: pause before connecting to its master again (ms); null = 5000, fast 100', 10),
      slaveSyncIntervalMs: int(null, 'slave: topic, group and offset sync with the master (ms); null = 10000, fast 200', 10),
      syncTimeoutMs: int(null, 'SYNC_MASTER: how long a send waits for a slave (ms); null = 5000, fast 2000', 10),
      faultNotAvailableMs: {
        type: ['array', 'null'], items: { type: 'integer', minimum: 0 }, minItems: 7, maxItems: 7, default: null,
        description: 'gateway: how long a group is avoided after a call slower than 50,100,550,1000,2000,3000,15000 ms or a failure (last); null = 0,0,30000,60000,120000,180000,600000, fast 0,0,500,1000,1000,1000,2000',
      },
      controller: bool(false, 'nameserver: also run the controller (automatic failover) in this process, on controllerPort'),
      controllerPort: port(9878, 'controller listener (`rocketgate controller`, or a nameserver with controller on)'),
      controllerAddrs: str(null, 'broker: controller mode: controller addresses host:port separated by ; or , (the controller elects the master; brokerId is the replica id, 1 and up); null = the fixed roles of `role`'),
      allAckInSyncStateSet: bool(false, 'controller mode: a send is acknowledged once every in-sync replica has it'),
      minInSyncReplicas: int(1, 'controller mode: writes are refused while fewer replicas (the master counts) are in sync', 1),
      uncleanElection: bool(false, 'controller: elect a replica outside the in-sync set when none of it is alive (may lose acknowledged messages)'),
      controllerHeartbeatMs: int(null, 'controller mode: broker heartbeat to the controller (ms); null = 1000, fast 100', 10),
      controllerBrokerTimeoutMs: int(null, 'controller: a broker silent this long is dead and its master role given away; the master lease is 2/3 of it (ms); null = 10000, fast 1500', 100),
    }),
  },
};
