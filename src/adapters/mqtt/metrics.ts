/** Prometheus meters of the MQTT adapter, read from the gateway when scraped. */
import { Gauge, type Registry } from 'prom-client';
import type { MqttGateway } from './gateway.js';

export function registerMqttMetrics(registry: Registry, gateway: MqttGateway): () => void {
  const names: string[] = [];
  const gauge = (name: string, help: string, read: () => number): void => {
    names.push(name);
    registry.registerMetric(new Gauge({ name, help, registers: [], collect() { this.set(read()); } }));
  };
  gauge('rocketgate_mqtt_connections', 'open MQTT connections', () => gateway.connections.size);
  gauge('rocketgate_mqtt_sessions', 'MQTT sessions held (connected or persistent)', () => gateway.sessions.count);
  gauge('rocketgate_mqtt_retained_messages', 'retained messages', () => gateway.retained.size);
  gauge('rocketgate_mqtt_messages_in', 'PUBLISH packets received', () => gateway.stats.messagesIn);
  gauge('rocketgate_mqtt_messages_out', 'PUBLISH packets sent', () => gateway.stats.messagesOut);
  gauge('rocketgate_mqtt_dropped', 'outbound messages dropped (queue full, slow client, too large)', () => gateway.stats.dropped + gateway.stats.oversizedDropped);
  gauge('rocketgate_mqtt_protocol_errors', 'connections closed for protocol errors', () => gateway.stats.protocolErrors);
  return () => {
    for (const n of names) registry.removeSingleMetric(n);
  };
}
