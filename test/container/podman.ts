/**
 * podman for the container tests, always through scripts/container/podman.sh (the project's
 * containers.conf: runc, cgroupfs, ulimits below the host's limits).
 *
 * - `probePodman` says whether podman can run a container here at all; the tests are
 *   skipped with its reason only when it cannot.
 * - `buildTestImage` runs scripts/build-image.sh --standin-base once per test run: the stand-in
 *   base is cached by content hash (scripts/container/standin-base.sh), the image's layers
 *   by podman's build cache.
 * - `Resources` names and labels every container and volume a test file creates
 *   (`rocketgate.test=<run id>`, `rocketgate.test.pid=<jest worker pid>`), removes them all
 *   in `cleanup` (also after a failure), and removes what an earlier run that died left.
 *   Containers publish ports on 127.0.0.1 through slirp4netns' own port handler, so no
 *   bridge, network or firewall rule is created.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const PODMAN = path.join(ROOT, 'scripts/container/podman.sh');
const LABEL = 'rocketgate.test';
/** the network mode of every test container: published ports without firewall rules */
export const NETWORK = 'slirp4netns:port_handler=slirp4netns';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** runs a command; resolves with its exit code and output, whatever the code */
export function run(file: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20, env: options.env ?? process.env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() + (err && typeof err.code !== 'number' ? `\n${err.message}` : '') });
    });
  });
}

/** podman's noise about systemd timers for health checks (there is no systemd here) */
function quiet(stderr: string): string {
  return stderr.split('\n').filter((l) => !l.includes('systemd')).join('\n').trim();
}

export function podman(args: string[], timeoutMs?: number): Promise<RunResult> {
  return run(PODMAN, args, { ...(timeoutMs ? { timeoutMs } : {}) }).then((r) => ({ ...r, stderr: quiet(r.stderr) }));
}

/** podman that must succeed; returns stdout trimmed */
export async function podmanOk(args: string[], timeoutMs?: number): Promise<string> {
  const r = await podman(args, timeoutMs);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return r.stdout.trim();
}

export type Probe = { ok: true } | { ok: false; reason: string };

/** whether podman is installed and works here (as root: the stand-in base needs it) */
export async function probePodman(): Promise<Probe> {
  const version = await podman(['version', '--format', '{{.Client.Version}}'], 30_000);
  if (version.code !== 0) return { ok: false, reason: `podman is not usable (${version.stderr.split('\n')[0] || `exit ${version.code}`}); install it with: apt-get install podman runc` };
  const info = await podman(['info', '--format', '{{.Host.Security.Rootless}}'], 30_000);
  if (info.code !== 0) return { ok: false, reason: `podman info fails: ${info.stderr.split('\n')[0]}` };
  if (info.stdout.trim() === 'true') return { ok: false, reason: 'podman runs rootless here; the stand-in base image (debootstrap) needs root' };
  return { ok: true };
}

export interface BuiltImage {
  image: string;
  /** the stand-in base it was built on */
  base: string;
  ms: number;
}

let built: Promise<BuiltImage> | undefined;

/** scripts/build-image.sh --standin-base into a test tag; once per process */
export function buildTestImage(): Promise<BuiltImage> {
  built ??= (async () => {
    const started = Date.now();
    const image = 'localhost/rocketgate:test';
    // one build at a time (test files run in parallel workers); the second finds podman's cache
    const lock = path.join(tmpdir(), 'rocketgate-test-image.lock');
    const r = await run('flock', [lock, path.join(ROOT, 'scripts/build-image.sh'), '--standin-base', '--tag', image], { timeoutMs: 15 * 60_000 });
    const log = `${r.stdout}\n${r.stderr}`;
    if (r.code !== 0) throw new Error(`scripts/build-image.sh exited ${r.code}:\n${log.slice(-6000)}`);
    const base = /BASE_IMAGE=(\S+)/.exec(log)?.[1];
    if (!base) throw new Error(`scripts/build-image.sh named no BASE_IMAGE:\n${log.slice(0, 2000)}`);
    await removeOldBuilds(log);
    return { image, base, ms: Date.now() - started };
  })();
  return built;
}

/**
 * Removes the untagged images of earlier builds (each source change leaves about 100 MB);
 * the images of every step of this build (`--> <id>` in its log, cached or not) stay: they
 * are the cache of the next build.
 */
async function removeOldBuilds(log: string): Promise<void> {
  // buildah prints each step's image as `--> ` and its first 11 hex digits
  const keep = new Set([...log.matchAll(/^--> ([0-9a-f]{11})\b/gm)].map((m) => m[1]!));
  const dangling = (await podmanOk(['images', '--filter', 'dangling=true', '--filter', 'label=org.opencontainers.image.title=rocketgate',
    '--format', '{{.ID}}'])).split('\n').filter(Boolean);
  const old = dangling.filter((id) => !keep.has(id.slice(0, 11)));
  if (old.length > 0) await podman(['rmi', ...old]);
}

/** a port free on 127.0.0.1 right now */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Resources {
  readonly runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  private seq = 0;

  /** the label arguments of everything this run creates */
  labels(): string[] {
    return ['--label', `${LABEL}=${this.runId}`, '--label', `${LABEL}.pid=${process.pid}`];
  }

  /** a pod for containers that share one network namespace (slirp4netns, ports on 127.0.0.1) */
  async pod(publish: string[], hosts: string[]): Promise<string> {
    const name = this.name('pod');
    await podmanOk(['pod', 'create', '--name', name, ...this.labels(), '--network', NETWORK,
      ...publish.flatMap((p) => ['-p', p]), ...hosts.flatMap((h) => ['--add-host', `${h}:127.0.0.1`])]);
    return name;
  }

  name(what: string): string {
    return `rg-test-${this.runId}-${what}-${++this.seq}`;
  }

  async volume(): Promise<string> {
    const name = this.name('data');
    await podmanOk(['volume', 'create', ...this.labels(), name]);
    return name;
  }

  /** pods, containers and volumes of this run still present */
  async leftovers(): Promise<{ pods: string[]; containers: string[]; volumes: string[] }> {
    const filter = `label=${LABEL}=${this.runId}`;
    const list = async (args: string[]) => (await podmanOk([...args, '--filter', filter])).split('\n').filter(Boolean);
    return {
      pods: await list(['pod', 'ps', '--format', '{{.Name}}']),
      containers: await list(['ps', '-a', '--format', '{{.Names}}']),
      volumes: await list(['volume', 'ls', '--format', '{{.Name}}']),
    };
  }

  /** removes every pod, container and volume of this run */
  async cleanup(): Promise<void> {
    const { pods, containers, volumes } = await this.leftovers();
    // -v: also the anonymous volume of a container run without -v ...:/data
    if (containers.length > 0) await podman(['rm', '-f', '-v', '-t', '0', ...containers]);
    if (pods.length > 0) await podman(['pod', 'rm', '-f', '-t', '0', ...pods]);
    if (volumes.length > 0) await podman(['volume', 'rm', '-f', ...volumes]);
  }

  /** removes what test runs whose process is gone left behind (a killed jest) */
  static async removeStale(): Promise<void> {
    const stale = async (args: string[], name: string) => (await podmanOk([...args, '--filter', `label=${LABEL}`, '--format', `${name} {{index .Labels "${LABEL}.pid"}}`]))
      .split('\n').filter(Boolean).map((line) => line.split(' ')).filter(([, pid]) => !alive(Number(pid))).map(([n]) => n!);
    const containers = await stale(['ps', '-a'], '{{.Names}}');
    if (containers.length > 0) await podman(['rm', '-f', '-v', '-t', '0', ...containers]);
    const pods = await stale(['pod', 'ps'], '{{.Name}}');
    if (pods.length > 0) await podman(['pod', 'rm', '-f', '-t', '0', ...pods]);
    const volumes = await stale(['volume', 'ls'], '{{.Name}}');
    if (volumes.length > 0) await podman(['volume', 'rm', '-f', ...volumes]);
  }
}

/** the host's firewall rules (nft), to prove a test added none; undefined without nft */
async function firewallRules(): Promise<string | undefined> {
  // -s: without counters, which move with any traffic
  const r = await run('nft', ['-s', 'list', 'ruleset'], { timeoutMs: 10_000 });
  return r.code === 0 ? r.stdout : undefined;
}

export interface MachineState {
  pods: string[];
  containers: string[];
  volumes: string[];
  networks: string[];
  firewall: string | undefined;
}

/**
 * Every pod, container, volume and network podman has, and the firewall rules; without what
 * other test runs (the other container test file, running in parallel) labelled as theirs.
 */
export async function machineState(runId: string): Promise<MachineState> {
  const rows = async (args: string[]) => (await podmanOk(args)).split('\n').filter(Boolean).map((l) => l.split(' '));
  const theirs = (run: string | undefined) => run !== undefined && run !== '' && run !== '<no' && run !== runId;
  const pods = await rows(['pod', 'ps', '--format', `{{.Name}} {{index .Labels "${LABEL}"}}`]);
  const otherPods = new Set(pods.filter(([, run]) => theirs(run)).map(([name]) => name));
  return {
    pods: pods.filter(([name]) => !otherPods.has(name)).map(([name]) => name!),
    containers: (await rows(['ps', '-a', '--format', `{{.ID}} {{.PodName}}. {{index .Labels "${LABEL}"}}`]))
      .filter(([, pod, run]) => !otherPods.has(pod!.slice(0, -1)) && !theirs(run)).map(([id]) => id!),
    volumes: (await rows(['volume', 'ls', '--format', `{{.Name}} {{index .Labels "${LABEL}"}}`]))
      .filter(([, run]) => !theirs(run)).map(([name]) => name!),
    networks: (await rows(['network', 'ls', '--format', '{{.Name}}'])).map(([name]) => name!),
    firewall: await firewallRules(),
  };
}

/** what is in `after` and was not in `before` (unlabelled things too: anonymous volumes, rules) */
export function addedSince(before: MachineState, after: MachineState): Record<string, unknown> {
  const added = (key: 'pods' | 'containers' | 'volumes' | 'networks') => after[key].filter((x) => !before[key].includes(x));
  return {
    pods: added('pods'), containers: added('containers'), volumes: added('volumes'), networks: added('networks'),
    firewallChanged: before.firewall !== undefined && after.firewall !== before.firewall,
  };
}

export const NOTHING_ADDED = { pods: [], containers: [], volumes: [], networks: [], firewallChanged: false };

/** timings of a test file, printed and kept in test-artifacts/container/<name>.json */
export class Timings {
  private readonly started = Date.now();
  readonly phases: Record<string, number> = {};

  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const t = Date.now();
    try {
      return await work();
    } finally {
      this.phases[phase] = Date.now() - t;
    }
  }

  report(name: string): void {
    const total = Date.now() - this.started;
    const dir = path.join(ROOT, 'test-artifacts', 'container');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify({ totalMs: total, phases: this.phases }, null, 2)}\n`);
    const parts = Object.entries(this.phases).map(([p, ms]) => `${p} ${(ms / 1000).toFixed(1)}s`).join(', ');
    process.stderr.write(`[container ${name}] ${(total / 1000).toFixed(1)}s in all: ${parts}\n`);
  }
}
