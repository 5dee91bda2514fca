/**
 * The broker's registration with every nameserver (RocketMQ BrokerController
 * registerBrokerAll / BrokerOuterAPI): REGISTER_BROKER with RegisterBrokerRequestHeader
 * and a RegisterBrokerBody of every topic config, to all nameservers in parallel,
 * every `intervalMs` (30 s) and at once when the topic configs change (checked every
 * `changeCheckMs`, and on `nudge()` after requests that may create or delete topics).
 * On stop it sends UNREGISTER_BROKER to each.
 *
 * The topic data version is the topic manager's change counter, so a nameserver
 * re-reads queue layouts only when they changed. Like a RocketMQ broker, it also
 * registers a one-queue topic named after its cluster and one named after itself
 * (admin tools find a cluster's brokers by them; they also keep a first registration
 * from looking like a single-topic one, which nameservers refuse), and, with
 * auto-create on, RocketMQ's TBW102: stock producers look it up to find a broker that
 * will create their new topic.
 */
import type { TopicInfo } from '../../kernel/client/broker-api.js';
import { createRequest } from '../remoting/command.js';
import type { RemotingClient } from '../remoting/remoting-client.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';
import { bodyCrc32, encodeRegisterBrokerBody } from '../protocol/register-broker-body.js';
import { PERM_INHERIT, PERM_READ, PERM_WRITE, type DataVersion, type TopicConfig } from '../protocol/route-data.js';

export const AUTO_CREATE_TOPIC_KEY = 'TBW102';

export interface BrokerIdentity {
  clusterName: string;
  brokerName: string;
  brokerId: number;
  brokerAddr: string;
  haServerAddr: string;
}

export interface RegistrationOptions extends BrokerIdentity {
  nameServers: string[];
  intervalMs?: number;
  changeCheckMs?: number;
  /** sent as heartbeatTimeoutMillis: how long nameservers keep us without news */
  heartbeatTimeoutMs?: number;
  compress?: boolean;
  timeoutMs?: number;
  /** the broker's topics and their change counter */
  topics: () => TopicInfo[];
  topicsVersion: () => number;
  autoCreateQueueCount?: () => number | undefined;
  onError?: (nameServer: string, err: Error) => void;
  /** after every round, with each nameserver's answer */
  onRegistered?: (outcomes: RegisterOutcome[]) => void;
  /** sent as dataVersion.stateVersion (controller mode: the master epoch, so nameservers refuse a stale master); default 0 */
  stateVersion?: () => number;
}

export interface RegisterOutcome {
  nameServer: string;
  ok: boolean;
  masterAddr?: string;
  haServerAddr?: string;
  error?: string;
}

export function topicConfigOf(info: TopicInfo): TopicConfig {
  return {
    topicName: info.topic, readQueueNums: info.queueCount, writeQueueNums: info.queueCount, perm: info.perm,
    topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: info.order, attributes: {},
  };
}

export class BrokerRegistration {
  private timers: NodeJS.Timeout[] = [];
  private registeredVersion = -1;
  private versionTimestamp = Date.now();
  private running?: Promise<RegisterOutcome[]>;
  private again = false;

  constructor(private readonly client: RemotingClient, private readonly options: RegistrationOptions) {}

  async start(): Promise<RegisterOutcome[]> {
    const first = await this.registerAll();
    this.timers.push(setInterval(() => void this.registerAll(), this.options.intervalMs ?? 30_000));
    this.timers.push(setInterval(() => this.nudge(), this.options.changeCheckMs ?? 1_000));
    for (const t of this.timers) t.unref();
    return first;
  }

  /** registers now if the topic configs changed since the last registration */
  nudge(): void {
    if (this.options.topicsVersion() !== this.registeredVersion) void this.registerAll();
  }

  /** REGISTER_BROKER to every nameserver; one run at a time, a request during a run runs once more after it */
  registerAll(): Promise<RegisterOutcome[]> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = this.registerOnce().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.registerAll();
      }
    });
    this.running = run;
    return run;
  }

  private async registerOnce(): Promise<RegisterOutcome[]> {
    const version = this.options.topicsVersion();
    if (version !== this.registeredVersion) this.versionTimestamp = Date.now();
    const dataVersion: DataVersion = { stateVersion: this.options.stateVersion?.() ?? 0, timestamp: this.versionTimestamp, counter: version };
    const compress = this.options.compress ?? false;
    const body = encodeRegisterBrokerBody({ dataVersion, topicConfigTable: this.topicConfigTable(), filterServerList: [] }, compress);
    const outcomes = await Promise.all(this.options.nameServers.map((ns) => this.registerWith(ns, body, compress)));
    if (outcomes.every((o) => o.ok)) this.registeredVersion = version;
    this.options.onRegistered?.(outcomes);
    return outcomes;
  }

  private topicConfigTable(): Record<string, TopicConfig> {
    const table: Record<string, TopicConfig> = {};
    for (const info of this.options.topics()) table[info.topic] = topicConfigOf(info);
    for (const name of [this.options.clusterName, this.options.brokerName]) {
      table[name] ??= {
        topicName: name, readQueueNums: 1, writeQueueNums: 1, perm: PERM_READ | PERM_WRITE,
        topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false, attributes: {},
      };
    }
    const autoQueues = this.options.autoCreateQueueCount?.();
    if (autoQueues !== undefined && !table[AUTO_CREATE_TOPIC_KEY]) {
      table[AUTO_CREATE_TOPIC_KEY] = {
        topicName: AUTO_CREATE_TOPIC_KEY, readQueueNums: autoQueues, writeQueueNums: autoQueues,
        perm: PERM_INHERIT | PERM_READ | PERM_WRITE, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false, attributes: {},
      };
    }
    return table;
  }

  private async registerWith(nameServer: string, body: Buffer, compressed: boolean): Promise<RegisterOutcome> {
    const o = this.options;
    try {
      const response = await this.client.invoke(nameServer, createRequest({
        code: RequestCode.REGISTER_BROKER,
        header: {
          brokerName: o.brokerName, brokerAddr: o.brokerAddr, clusterName: o.clusterName, haServerAddr: o.haServerAddr,
          brokerId: o.brokerId, heartbeatTimeoutMillis: o.heartbeatTimeoutMs, enableActingMaster: false,
          compressed, bodyCrc32: bodyCrc32(body),
        },
        body,
      }), o.timeoutMs ?? 6_000);
      if (response.code !== ResponseCode.SUCCESS) throw new Error(`nameserver ${nameServer} refused the registration: ${response.code} ${response.remark ?? ''}`);
      return { nameServer, ok: true, masterAddr: response.extFields.masterAddr, haServerAddr: response.extFields.haServerAddr };
    } catch (err) {
      o.onError?.(nameServer, err as Error);
      return { nameServer, ok: false, error: (err as Error).message };
    }
  }

  /** stops the timers and unregisters from every nameserver (best effort) */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.running?.catch(() => undefined);
    const o = this.options;
    await Promise.all(o.nameServers.map((ns) => this.client.invoke(ns, createRequest({
      code: RequestCode.UNREGISTER_BROKER,
      header: { brokerName: o.brokerName, brokerAddr: o.brokerAddr, clusterName: o.clusterName, brokerId: o.brokerId },
    }), 1_000).catch(() => undefined)));
  }
}
