/**
 * Topic routes from the nameservers, as RocketMQ's MQClientInstance keeps them: a topic's
 * TopicRouteData is fetched on first use (GET_ROUTEINFO_BY_TOPIC) and refreshed for every
 * known topic every `refreshIntervalMs` (30 s). One nameserver is used until it fails,
 * then the next; a route that disappears (TOPIC_NOT_EXIST) leaves the cache. The broker
 * addresses of every cached route answer `brokerAddress`.
 *
 * Works against our nameservers and Apache RocketMQ's (fastjson bodies are parsed
 * leniently, protocol/fastjson.ts).
 */
import { parseJsonObject } from './protocol/fastjson.js';
import {
  MASTER_ID, decodeClusterInfo, decodeTopicRouteData, type ClusterInfo, type TopicRouteData,
} from './protocol/route-data.js';
import { createRequest, type RemotingCommand } from './remoting/command.js';
import type { RemotingClient } from './remoting/remoting-client.js';
import { RequestCode, ResponseCode } from './remoting/request-codes.js';

export interface RouteCacheOptions {
  nameServers: string[];
  refreshIntervalMs?: number;
  timeoutMs?: number;
  /** index of the nameserver tried first; default random, so clients spread over them */
  startIndex?: number;
  onError?: (err: Error) => void;
}

export class RouteCache {
  private readonly routes = new Map<string, TopicRouteData>();
  private readonly fetching = new Map<string, Promise<TopicRouteData | undefined>>();
  private current = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly client: RemotingClient, private readonly options: RouteCacheOptions) {
    if (options.nameServers.length === 0) throw new Error('a route cache needs at least one nameserver address');
    this.current = (options.startIndex ?? Math.floor(Math.random() * options.nameServers.length)) % options.nameServers.length;
  }

  get nameServerAddresses(): readonly string[] {
    return this.options.nameServers;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.refreshAll(), this.options.refreshIntervalMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** the cached route of `topic`, fetched when not cached; undefined when no broker serves it */
  async route(topic: string): Promise<TopicRouteData | undefined> {
    return this.routes.get(topic) ?? this.refresh(topic);
  }

  cached(topic: string): TopicRouteData | undefined {
    return this.routes.get(topic);
  }

  /**
   * a route the caller knows before the nameservers do (it just created the topic on these
   * brokers; their registration follows within a second); the next refresh replaces it
   */
  put(topic: string, route: TopicRouteData): void {
    this.routes.set(topic, route);
  }

  /** forgets a topic's route (deleted) */
  forget(topic: string): void {
    this.routes.delete(topic);
  }

  /** topics with a cached route */
  topics(): string[] {
    return [...this.routes.keys()];
  }

  /** fetches the route of `topic` now (concurrent calls share one request) */
  refresh(topic: string): Promise<TopicRouteData | undefined> {
    const pending = this.fetching.get(topic);
    if (pending) return pending;
    const fetch = this.fetch(topic).finally(() => this.fetching.delete(topic));
    this.fetching.set(topic, fetch);
    return fetch;
  }

  async refreshAll(): Promise<void> {
    await Promise.all([...this.routes.keys()].map((t) => this.refresh(t).catch((err: Error) => this.options.onError?.(err))));
  }

  /** address of `brokerName`'s broker `brokerId` (0 = master) in any cached route */
  brokerAddress(brokerName: string, brokerId = MASTER_ID): string | undefined {
    for (const route of this.routes.values()) {
      const b = route.brokerDatas.find((d) => d.brokerName === brokerName);
      const addr = b?.brokerAddrs[String(brokerId)];
      if (addr) return addr;
    }
    return undefined;
  }

  async clusterInfo(): Promise<ClusterInfo> {
    const response = await this.invoke(createRequest({ code: RequestCode.GET_BROKER_CLUSTER_INFO }));
    if (response.code !== ResponseCode.SUCCESS) throw new Error(`GET_BROKER_CLUSTER_INFO failed: ${response.code} ${response.remark ?? ''}`);
    return decodeClusterInfo(parseJsonObject(response.body, 'ClusterInfo'));
  }

  private async fetch(topic: string): Promise<TopicRouteData | undefined> {
    const response = await this.invoke(createRequest({ code: RequestCode.GET_ROUTEINFO_BY_TOPIC, header: { topic, acceptStandardJsonOnly: true } }));
    if (response.code === ResponseCode.TOPIC_NOT_EXIST) {
      this.routes.delete(topic);
      return undefined;
    }
    if (response.code !== ResponseCode.SUCCESS) throw new Error(`GET_ROUTEINFO_BY_TOPIC ${topic} failed: ${response.code} ${response.remark ?? ''}`);
    const route = decodeTopicRouteData(parseJsonObject(response.body, 'TopicRouteData'));
    this.routes.set(topic, route);
    return route;
  }

  /** the request to the current nameserver; on a transport failure, to the next ones in turn */
  private async invoke(request: RemotingCommand): Promise<RemotingCommand> {
    const servers = this.options.nameServers;
    let lastError: Error | undefined;
    for (let tried = 0; tried < servers.length; tried++) {
      const address = servers[this.current % servers.length]!;
      try {
        return await this.client.invoke(address, request, this.options.timeoutMs ?? 3_000);
      } catch (err) {
        lastError = err as Error;
        this.current = (this.current + 1) % servers.length;
      }
    }
    throw new Error(`no nameserver answered (${servers.join(', ')}): ${lastError?.message}`, { cause: lastError });
  }
}
