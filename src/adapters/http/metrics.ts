/**
 * The HTTP adapter's meters, registered in the process registry (AdapterContext.metrics):
 *   rocketgate_messages_in_total{protocol,topic}      messages published over HTTP (shared name: other
 *   rocketgate_messages_out_total{protocol,topic}     adapters may add their protocol's series)
 *   rocketgate_protocol_connections{protocol}         per adapter, from each adapter's stats()
 *   rocketgate_protocol_messages_{in,out}_total{protocol}
 *   rocketgate_http_request_duration_seconds{method,route,status}
 *   rocketgate_webhook_deliveries_total{result}       success | failure | dead_letter
 *   rocketgate_http_sse_streams
 * Topic label values are capped (`maxTopicLabels`) so a flood of topics cannot blow up the registry.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export interface ProtocolStats {
  connections: number;
  messagesIn: number;
  messagesOut: number;
}

const OTHER_TOPIC = '_other';
const PROTOCOL = 'http';

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export class HttpMetrics {
  private readonly registry: Registry;
  private readonly topics = new Set<string>();
  private readonly maxTopicLabels: number;
  private readonly messagesInCounter: Counter<'protocol' | 'topic'>;
  private readonly messagesOutCounter: Counter<'protocol' | 'topic'>;
  private readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly webhookDeliveries: Counter<'result'>;
  private readonly sseStreams: Gauge;
  /** metrics whose collect() reads this adapter instance; removed on close() */
  private readonly owned: string[] = [];

  constructor(registry: Registry, stats: () => Record<string, ProtocolStats>, maxTopicLabels = 1000) {
    this.registry = registry;
    this.maxTopicLabels = maxTopicLabels;
    const registers = [registry];
    this.messagesInCounter = getOrCreate(registry, 'rocketgate_messages_in_total', () => new Counter({
      name: 'rocketgate_messages_in_total', help: 'messages received from clients, by protocol and topic', labelNames: ['protocol', 'topic'], registers,
    }));
    this.messagesOutCounter = getOrCreate(registry, 'rocketgate_messages_out_total', () => new Counter({
      name: 'rocketgate_messages_out_total', help: 'messages delivered to clients, by protocol and topic', labelNames: ['protocol', 'topic'], registers,
    }));
    this.requestDuration = getOrCreate(registry, 'rocketgate_http_request_duration_seconds', () => new Histogram({
      name: 'rocketgate_http_request_duration_seconds', help: 'HTTP API latency by route', labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers,
    }));
    this.webhookDeliveries = getOrCreate(registry, 'rocketgate_webhook_deliveries_total', () => new Counter({
      name: 'rocketgate_webhook_deliveries_total', help: 'outbound webhook attempts by result', labelNames: ['result'], registers,
    }));

    this.sseStreams = this.own('rocketgate_http_sse_streams', () => new Gauge({ name: 'rocketgate_http_sse_streams', help: 'open server-sent-event streams', registers }));
    this.own('rocketgate_protocol_connections', () => new Gauge({
      name: 'rocketgate_protocol_connections', help: 'open connections per protocol', labelNames: ['protocol'], registers,
      collect() { for (const [protocol, s] of Object.entries(stats())) this.set({ protocol }, s.connections); },
    }));
    this.own('rocketgate_protocol_messages_in_total', () => new Counter({
      name: 'rocketgate_protocol_messages_in_total', help: 'messages received per protocol', labelNames: ['protocol'], registers,
      collect() { this.reset(); for (const [protocol, s] of Object.entries(stats())) this.inc({ protocol }, s.messagesIn); },
    }));
    this.own('rocketgate_protocol_messages_out_total', () => new Counter({
      name: 'rocketgate_protocol_messages_out_total', help: 'messages delivered per protocol', labelNames: ['protocol'], registers,
      collect() { this.reset(); for (const [protocol, s] of Object.entries(stats())) this.inc({ protocol }, s.messagesOut); },
    }));
  }

  /** a meter bound to this instance replaces one left by an earlier instance on the same registry */
  private own<T>(name: string, create: () => T): T {
    this.registry.removeSingleMetric(name);
    this.owned.push(name);
    return create();
  }

  private topicLabel(topic: string): string {
    if (this.topics.has(topic)) return topic;
    if (this.topics.size >= this.maxTopicLabels) return OTHER_TOPIC;
    this.topics.add(topic);
    return topic;
  }

  messagesIn(topic: string, n = 1): void {
    this.messagesInCounter.inc({ protocol: PROTOCOL, topic: this.topicLabel(topic) }, n);
  }

  messagesOut(topic: string, n = 1): void {
    this.messagesOutCounter.inc({ protocol: PROTOCOL, topic: this.topicLabel(topic) }, n);
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  webhookDelivery(result: 'success' | 'failure' | 'dead_letter'): void {
    this.webhookDeliveries.inc({ result });
  }

  sseOpened(): void {
    this.sseStreams.inc();
  }

  sseClosed(): void {
    this.sseStreams.dec();
  }

  /** the collect()-backed meters refer to this adapter: unregister them when it stops */
  close(): void {
    for (const name of this.owned) this.registry.removeSingleMetric(name);
  }
}
