import { Writable } from 'node:stream';
import { componentLogger, createRootLogger } from '../../src/runtime/logger.js';
import { createMetrics } from '../../src/runtime/metrics.js';
import { defaultConfig } from '../../src/runtime/config.js';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk.toString()); done(); } });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  test('quiet by default: the default level drops info, keeps warn; children carry their component', () => {
    const out = capture();
    const root = createRootLogger({ level: defaultConfig().log.level, destination: out.stream });
    const mqtt = componentLogger(root, 'mqtt');
    mqtt.info('chatty');
    mqtt.warn({ clientId: 'c1' }, 'worth knowing');
    expect(out.lines()).toEqual([expect.objectContaining({ level: 40, component: 'mqtt', clientId: 'c1', msg: 'worth knowing' })]);
    expect(typeof out.lines()[0]!.time).toBe('string');
  });

  test('silent logs nothing', () => {
    const out = capture();
    createRootLogger({ level: 'silent', destination: out.stream }).fatal('x');
    expect(out.lines()).toEqual([]);
  });
});

describe('metrics', () => {
  test('a registry per server with default metrics and build info; two registries do not collide', async () => {
    const a = createMetrics({ version: '1.2.3', nodeId: 'n1' });
    const b = createMetrics({ version: '1.2.3', nodeId: 'n2' });
    const text = await a.metrics();
    expect(text).toContain('rocketgate_process_cpu_user_seconds_total');
    expect(text).toContain('rocketgate_nodejs_eventloop_lag_seconds');
    expect(text).toContain('rocketgate_build_info{version="1.2.3",node_id="n1"} 1');
    expect(await b.metrics()).toContain('node_id="n2"');
  });
});
