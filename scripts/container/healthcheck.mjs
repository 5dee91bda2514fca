#!/usr/bin/env node
/**
 * The image's HEALTHCHECK (Containerfile): exit 0 when the rocketgate process of this
 * container answers, 1 when it does not.
 *
 * It finds the process running /app/dist/main.js (PID 1, or a child of --init), reads that
 * process's arguments and environment, and resolves the configuration exactly as the CLI
 * does (flag > environment variable > config file > default, with rocketgate's own
 * resolveConfig), so a port moved by a flag, a variable or a config file is still found:
 *   start, gateway       GET /v1/health on the HTTP listener (https when it has TLS; the
 *                        certificate is not verified: this is a local liveness probe) and
 *                        expect 200; without HTTP, a TCP connect to the first listener
 *   nameserver, broker   a TCP connect to the nameserver or broker remoting port
 *
 *   node /app/scripts/container/healthcheck.mjs [--verbose]
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const APP = new URL('../../', import.meta.url);
const MAIN = new URL('dist/main.js', APP).pathname;
const TIMEOUT_MS = 4_000;
const verbose = process.argv.includes('--verbose');

/** @returns {{ pid: string, argv: string[], env: Record<string, string> } | undefined} */
function findServer() {
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(a) - Number(b));
  for (const pid of pids) {
    let argv;
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone, or not ours
    }
    const at = argv.indexOf(MAIN);
    if (at < 0 || pid === String(process.pid)) continue;
    const env = {};
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return { pid, argv: argv.slice(at + 1), env };
  }
  return undefined;
}

/**
 * The config flags among `args` (as commander reads them for `start`): `--x value`, `--x=value`,
 * `--flag` / `--no-flag` for booleans. A flag that is no config key (a role's own, such as
 * --namesrv-addr) is skipped with the value after it, if any.
 */
function configFlags(args, keys) {
  const byFlag = new Map(keys.map((k) => [k.flag, k]));
  const flags = {};
  let configFile;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const takeValue = () => inline ?? args[++i];
    if (name === 'config') {
      configFile = takeValue();
      continue;
    }
    const key = byFlag.get(name);
    if (key?.kind === 'boolean') {
      flags[name] = true;
    } else if (name.startsWith('no-') && byFlag.get(name.slice(3))?.kind === 'boolean') {
      flags[name.slice(3)] = false;
    } else if (key) {
      flags[name] = takeValue();
    } else if (inline === undefined && args[i + 1] !== undefined && !args[i + 1].startsWith('--')) {
      i++;
    }
  }
  return { flags, configFile };
}

async function resolve(server) {
  const [{ resolveConfig }, { CONFIG_KEYS, CONFIG_FILE_ENV }, { CLIENT_ENV }] = await Promise.all([
    import(new URL('dist/runtime/config.js', APP).href),
    import(new URL('dist/runtime/config-keys.js', APP).href),
    import(new URL('dist/cli/index.js', APP).href),
  ]);
  const role = server.argv[0] && !server.argv[0].startsWith('-') ? server.argv[0] : 'start';
  const { flags, configFile } = configFlags(server.argv, CONFIG_KEYS);
  const env = Object.fromEntries(Object.entries(server.env)
    .filter(([name]) => name.startsWith('ROCKETGATE_') && !CLIENT_ENV.includes(name)));
  const filePath = configFile ?? env[CONFIG_FILE_ENV];
  delete env[CONFIG_FILE_ENV];
  const file = filePath ? { path: filePath, text: readFileSync(filePath, 'utf8') } : undefined;
  const { config } = resolveConfig({ ...(file ? { file } : {}), env, flags });
  return { role, config };
}

/** where a listener bound to `host` is reached from inside the container */
function localAddress(host) {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}

function tcpProbe(host, port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: TIMEOUT_MS }, () => {
      socket.destroy();
      resolve(`tcp ${host}:${port} accepts`);
    });
    socket.on('timeout', () => socket.destroy(new Error(`tcp ${host}:${port}: timed out`)));
    socket.on('error', reject);
  });
}

function httpProbe(host, port, tls) {
  const client = tls ? https : http;
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/v1/health`;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { timeout: TIMEOUT_MS, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => (res.statusCode === 200
        ? resolve(`${url}: ${body.trim()}`)
        : reject(new Error(`${url}: HTTP ${res.statusCode} ${body.trim()}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
  });
}

async function probe() {
  const server = findServer();
  if (!server) throw new Error(`no process runs ${MAIN}`);
  const { role, config } = await resolve(server);
  const host = localAddress(config.host);
  switch (role) {
    case 'nameserver': return tcpProbe(host, config.nameserverPort);
    case 'broker': return tcpProbe(host, config.brokerPort);
    default: {
      if (config.http.enabled) return httpProbe(host, config.http.port, Boolean(config.http.tls?.certFile));
      if (config.mqtt.enabled) return tcpProbe(host, config.mqtt.port);
      if (config.stomp.enabled) return tcpProbe(host, config.stomp.port);
      if (config.rocketmq?.enabled) return tcpProbe(host, config.rocketmq.port);
      throw new Error('no listener is enabled');
    }
  }
}

try {
  const said = await probe();
  if (verbose) process.stdout.write(`healthy: ${said}\n`);
  process.exit(0);
} catch (err) {
  process.stdout.write(`unhealthy: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
