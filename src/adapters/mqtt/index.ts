/**
 * The MQTT adapter (MQTT 3.1.1 and 5.0 over TCP and WebSocket, optional TLS) on the
 * kernel client API. Protocol engine: mqtt-packet (aedes' codec) with one handler
 * per packet type (commands/); state and delivery: the kernel (gateway.ts).
 */
import type { AdapterFactory, ProtocolAdapter } from '../adapter.js';
import { type MqttAdapterConfig, defaultMqttConfig, resolveLimits } from './config.js';
import { mqttConnectionDirectory, mqttRetainedAdmin } from './connections.js';
import { MqttGateway } from './gateway.js';
import { Listeners } from './listeners.js';
import { registerMqttMetrics } from './metrics.js';

export { defaultMqttConfig };
export type { MqttAdapterConfig };

export const createMqttAdapter: AdapterFactory<MqttAdapterConfig> = (context, config): ProtocolAdapter => {
  const logger = context.logger.child({ component: 'mqtt' });
  const gateway = new MqttGateway(context.kernel, context.auth, logger, resolveLimits(config), config.nodeId);
  const listeners = new Listeners(gateway, config);
  let unregister: (() => void) | undefined;
  let started = false;
  return {
    name: 'mqtt',
    async start() {
      await gateway.start();
      try {
        await listeners.start();
      } catch (err) {
        const closed = listeners.stopAccepting();
        await gateway.stop();
        listeners.destroyAll();
        await closed;
        throw err;
      }
      unregister = registerMqttMetrics(context.metrics, gateway);
      started = true;
      logger.info({ listeners: listeners.addresses().map((a) => a.url) }, 'mqtt adapter listening');
    },
    async stop() {
      if (!started) return;
      started = false;
      const closed = listeners.stopAccepting();
      await gateway.stop();
      listeners.destroyAll();
      await closed;
      unregister?.();
    },
    stats() {
      const s = gateway.stats;
      return {
        connections: gateway.connections.size,
        messagesIn: s.messagesIn,
        messagesOut: s.messagesOut,
        sessions: gateway.sessions.count,
        persistentSessions: gateway.sessions.persistentCount,
        retained: gateway.retained.size,
        dropped: s.dropped,
        protocolErrors: s.protocolErrors,
        publishDenied: s.publishDenied,
        subscribeDenied: s.subscribeDenied,
        connectRefused: s.connectRefused,
        inboundPeakPending: s.inboundPeakPending,
      };
    },
    addresses() {
      return listeners.addresses();
    },
    clientConnections: mqttConnectionDirectory(gateway),
    retained: mqttRetainedAdmin(gateway),
  };
};
