/**
 * HTTP publish throughput: autocannon (programmatic) against POST /v1/topics/{topic}/messages
 * of the HTTP adapter over an embedded kernel (async flush), and, in the same run, against a
 * bare express handler that does nothing (201, no body). Prints one JSON line per target and a
 * summary whose `ratio` is gateway req/s ÷ bare express req/s (target ≥ 0.6). The two targets are
 * measured in alternating rounds and the ratio is the median of the rounds' ratios, so a burst of load
 * from elsewhere on the machine skews one round rather than one side.
 *
 *   npx tsx bench/http/publish.ts [--seconds 5] [--rounds 3] [--connections 32] [--pipelining 1] [--workers 1] [--body-bytes 128]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { openAuthenticator } from '../../src/adapters/common/auth.js';
import { createHttpAdapter, defaultHttpConfig } from '../../src/adapters/http/index.js';
import { openEmbeddedKernel } from '../../src/kernel/embedded.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  throughput: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no types; it is CommonJS
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) || fallback : fallback;
}

const seconds = arg('--seconds', 5);
const rounds = arg('--rounds', 3);
const connections = arg('--connections', 32);
const pipelining = arg('--pipelining', 1);
// the load generator runs on worker threads, so the server's event loop is the server's alone
const workers = arg('--workers', 1);
const bodyBytes = arg('--body-bytes', 128);
const TOPIC = 'bench';
const payload = JSON.stringify({ body: 'x'.repeat(bodyBytes), tag: 'bench', keys: ['k'], properties: { source: 'autocannon' } });

async function run(_name: string, url: string, duration: number): Promise<AutocannonResult> {
  return autocannon({
    url, method: 'POST', duration, connections, pipelining, workers, body: payload, headers: { 'content-type': 'application/json' },
  });
}

function summary(name: string, r: AutocannonResult): Record<string, unknown> {
  return {
    target: name, requestsPerSec: Math.round(r.requests.average), total: r.requests.total, ok: r['2xx'], non2xx: r.non2xx,
    errors: r.errors, timeouts: r.timeouts, latencyMs: { p50: r.latency.p50, p99: r.latency.p99, avg: r.latency.average },
  };
}

async function bareExpress(): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.post('/v1/topics/:topic/messages', (_req, res) => {
    res.status(201).end();
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/topics/${TOPIC}/messages`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rocketgate-bench-http-'));
  const kernel = await openEmbeddedKernel({ dataDir, defaultQueueCount: 8 });
  const adapter = createHttpAdapter(
    { kernel: kernel.client, logger: pino({ level: 'silent' }), metrics: new Registry(), auth: openAuthenticator },
    { ...defaultHttpConfig, host: '127.0.0.1', port: 0 },
  );
  await adapter.start();
  const gatewayUrl = `${adapter.addresses()[0]!.url}/v1/topics/${TOPIC}/messages`;
  const bare = await bareExpress();
  try {
    // warm both up (JIT, topic creation, store files) before measuring
    await run('warmup-gateway', gatewayUrl, 2);
    await run('warmup-bare', bare.url, 2);
    const ratios: number[] = [];
    const results: Array<{ gateway: AutocannonResult; bare: AutocannonResult }> = [];
    for (let round = 1; round <= rounds; round++) {
      // alternate which side goes first
      const first = round % 2 === 1 ? await run('gateway', gatewayUrl, seconds) : await run('bare', bare.url, seconds);
      const second = round % 2 === 1 ? await run('bare', bare.url, seconds) : await run('gateway', gatewayUrl, seconds);
      const r = round % 2 === 1 ? { gateway: first, bare: second } : { gateway: second, bare: first };
      results.push(r);
      ratios.push(r.gateway.requests.average / r.bare.requests.average);
      console.log(JSON.stringify({ round, gateway: summary('gateway-publish', r.gateway), bare: summary('bare-express', r.bare) }));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const stats = await kernel.client.admin.topicStats(TOPIC);
    console.log(JSON.stringify({
      bench: 'http-publish', seconds, rounds, connections, pipelining, workers, bodyBytes,
      gatewayRps: Math.round(median(results.map((r) => r.gateway.requests.average))),
      bareRps: Math.round(median(results.map((r) => r.bare.requests.average))),
      gatewayP99Ms: median(results.map((r) => r.gateway.latency.p99)),
      ratio: Number(median(ratios).toFixed(3)), ratios: ratios.map((x) => Number(x.toFixed(3))), target: 0.6,
      stored: stats?.messageCount ?? 0, gatewayFailures: results.reduce((n, r) => n + r.gateway.non2xx + r.gateway.errors + r.gateway.timeouts, 0),
    }));
  } finally {
    await bare.close();
    await adapter.stop();
    await kernel.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
