/**
 * The process's prom-client registry: Node's default metrics (prefixed `rocketgate_`)
 * plus a build-info gauge. Components register their own meters on it; the HTTP
 * adapter serves it. One registry per server, never prom-client's global one, so
 * several servers in one process (tests) do not collide.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export const METRIC_PREFIX = 'rocketgate_';

export function createMetrics(info: { version: string; nodeId: string }): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const build = new Gauge({
    name: `${METRIC_PREFIX}build_info`,
    help: 'rocketgate version and node id (value is always 1)',
    labelNames: ['version', 'node_id'],
    registers: [registry],
  });
  build.set({ version: info.version, node_id: info.nodeId }, 1);
  return registry;
}
