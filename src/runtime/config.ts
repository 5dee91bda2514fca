/**
 * Config resolution: defaults < config file (JSON or YAML) < ROCKETGATE_* environment
 * variables < CLI flags, validated against the one schema (config-schema.ts), with the
 * source of every value kept (`{value, source, origin}` per key) for the dashboard.
 *
 * Pure: the caller reads the file and hands over its text, the environment and the
 * parsed flags. Every problem is collected; a ConfigError lists all of them, each
 * naming the key, where it came from and what is allowed.
 */
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { configSchema, type Config } from './config-schema.js';
import {
  CONFIG_FILE_ENV, CONFIG_KEYS, CONFIG_KEY_BY_ENV, ENV_PREFIX, coerce, suggest, type ConfigKey,
} from './config-keys.js';
import { crossFieldIssues } from './config-checks.js';

export type { Config } from './config-schema.js';

export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

export interface ConfigValueSource {
  value: unknown;
  source: ConfigSource;
  /** the file path, environment variable or flag that set it */
  origin?: string;
}

/** one entry per config key (`mqtt.port`, ...) */
export type ConfigSources = Record<string, ConfigValueSource>;

export interface ResolvedConfig {
  config: Config;
  sources: ConfigSources;
}

export interface ConfigInput {
  /** `text` is parsed as JSON when the path ends in .json, as YAML otherwise; `data` is taken as parsed */
  file?: { path: string; text?: string; data?: unknown };
  env?: Record<string, string | undefined>;
  /** by flag name without `--` (`mqtt-port`); strings are coerced, booleans taken as they are */
  flags?: Record<string, string | boolean>;
}

export class ConfigError extends Error {
  readonly issues: string[];

  constructor(issues: string[]) {
    super(`invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

type Tree = Record<string, unknown>;

interface Layer {
  source: Exclude<ConfigSource, 'default'>;
  tree: Tree;
  /** how this layer names a key in messages and in `origin` */
  origin: (key: ConfigKey | undefined, path: string, value?: unknown) => string;
}

let validators: { partial: ValidateFunction; full: ValidateFunction } | undefined;

function getValidators(): { partial: ValidateFunction; full: ValidateFunction } {
  if (!validators) {
    const options = { allErrors: true, verbose: true, strict: true };
    validators = {
      partial: new Ajv(options).compile(configSchema),
      full: new Ajv({ ...options, useDefaults: true }).compile(configSchema),
    };
  }
  return validators;
}

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

function getPath(tree: Tree, path: string[]): { found: boolean; value?: unknown } {
  let node: unknown = tree;
  for (const name of path) {
    if (!isTree(node) || !Object.hasOwn(node, name)) return { found: false };
    node = node[name];
  }
  return { found: true, value: node };
}

function setPath(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const name of path.slice(0, -1)) {
    if (!isTree(node[name])) node[name] = {};
    node = node[name] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

/** `users/0/acl/1/pattern` → `users[0].acl[1].pattern` */
function displayPath(instancePath: string): string {
  return instancePath.split('/').slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function leafOf(instancePath: string): ConfigKey | undefined {
  const parts = instancePath.split('/').slice(1);
  return CONFIG_KEYS.find((k) => k.path.length <= parts.length && k.path.every((p, i) => parts[i] === p));
}

/** `; did you mean X? Allowed keys: a, b` or `; allowed keys: a, b` */
function alternatives(shown: string, hint: string | undefined, what: string, allowed: string[]): string {
  return `${hint ? `; did you mean ${shown}? Allowed` : '; allowed'} ${what}: ${allowed.join(', ')}`;
}

function describe(err: ErrorObject): string {
  const got = err.data === undefined ? '' : ` (got ${JSON.stringify(err.data)})`;
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).join(', ')}${got}`;
    case 'type':
      return `must be ${String(params.type).split(',').join(' or ')}${got}`;
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return `${err.message ?? 'out of range'}${got}`;
    case 'pattern':
      if (String(params.pattern).startsWith('^scrypt')) return 'must be a hash printed by `rocketgate hash-password` (scrypt$N$r$p$salt$hash)';
      if (String(params.pattern).includes('anonymous')) return `must not contain ":" nor be "anonymous"${got}`;
      return `must match ${String(params.pattern)}${got}`;
    case 'required':
      return `missing required key "${String(params.missingProperty)}"`;
    default:
      return `${err.message ?? err.keyword}${got}`;
  }
}

function layerIssues(errors: ErrorObject[], origin: Layer['origin'] | undefined): string[] {
  return errors.map((err) => {
    const path = displayPath(err.instancePath);
    if (err.keyword === 'additionalProperties') {
      const name = String((err.params as { additionalProperty: string }).additionalProperty);
      const full = path ? `${path}.${name}` : name;
      const allowed = Object.keys(((err.parentSchema as SchemaObject | undefined)?.properties ?? {}) as object);
      const hint = suggest(name, allowed);
      const where = origin ? ` (${origin(undefined, full)})` : '';
      return `unknown config key "${full}"${where}${alternatives(`"${hint}"`, hint, `keys${path ? ` of ${path}` : ''}`, allowed)}`;
    }
    const where = origin ? ` (${origin(leafOf(err.instancePath), path)})` : '';
    return `${path || '(config)'}${where}: ${describe(err)}`;
  });
}

function fileLayer(file: NonNullable<ConfigInput['file']>, issues: string[]): Layer | undefined {
  let data = file.data;
  if (file.text !== undefined) {
    try {
      data = file.path.toLowerCase().endsWith('.json') ? JSON.parse(file.text) : parseYaml(file.text);
    } catch (err) {
      issues.push(`config file ${file.path}: cannot parse: ${(err as Error).message}`);
      return undefined;
    }
  }
  if (data === null || data === undefined) data = {};
  if (!isTree(data)) {
    issues.push(`config file ${file.path}: must hold an object of config keys (got ${Array.isArray(data) ? 'a list' : typeof data})`);
    return undefined;
  }
  return { source: 'file', tree: structuredClone(data), origin: () => `file ${file.path}` };
}

function envLayer(env: Record<string, string | undefined>, issues: string[]): Layer {
  const tree: Tree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV || raw === undefined) continue;
    const key = CONFIG_KEY_BY_ENV.get(name);
    if (!key) {
      const allowed = [CONFIG_FILE_ENV, ...CONFIG_KEY_BY_ENV.keys()];
      const hint = suggest(name, allowed);
      issues.push(`unknown environment variable ${name}${alternatives(hint ?? '', hint, 'variables', allowed)}`);
      continue;
    }
    const value = coerce(key, raw);
    if (value.ok) setPath(tree, key.path, value.value);
    else issues.push(`${key.key} (env ${name}): ${value.error}`);
  }
  return { source: 'env', tree, origin: (key) => (key ? `env ${key.env}` : 'env') };
}

function flagLayer(flags: Record<string, string | boolean>, issues: string[]): Layer {
  const byFlag = new Map(CONFIG_KEYS.map((k) => [k.flag, k]));
  const tree: Tree = {};
  for (const [flag, raw] of Object.entries(flags)) {
    const key = byFlag.get(flag);
    if (!key) {
      const hint = suggest(flag, byFlag.keys());
      issues.push(`unknown flag --${flag}${alternatives(`--${hint}`, hint, 'flags', [...byFlag.keys()].map((f) => `--${f}`))}`);
      continue;
    }
    if (typeof raw === 'boolean') {
      if (key.kind === 'boolean') setPath(tree, key.path, raw);
      else issues.push(`${key.key} (flag --${flag}): needs a value`);
      continue;
    }
    const value = coerce(key, raw);
    if (value.ok) setPath(tree, key.path, value.value);
    else issues.push(`${key.key} (flag --${flag}): ${value.error}`);
  }
  return { source: 'flag', tree, origin: (key, _path, value) => (key ? `flag --${value === false ? 'no-' : ''}${key.flag}` : 'flags') };
}

/** The config built from the schema's defaults alone. */
export function defaultConfig(): Config {
  return resolveConfig({}).config;
}

export function resolveConfig(input: ConfigInput): ResolvedConfig {
  const issues: string[] = [];
  const layers: Layer[] = [];
  if (input.file) {
    const layer = fileLayer(input.file, issues);
    if (layer) layers.push(layer);
  }
  if (input.env) layers.push(envLayer(input.env, issues));
  if (input.flags) layers.push(flagLayer(input.flags, issues));

  const { partial, full } = getValidators();
  for (const layer of layers) {
    if (!partial(layer.tree)) issues.push(...layerIssues(partial.errors ?? [], layer.origin));
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const merged: Tree = {};
  const sources: ConfigSources = {};
  for (const key of CONFIG_KEYS) {
    let entry: ConfigValueSource = { value: structuredClone(key.default), source: 'default' };
    for (const layer of layers) {
      const hit = getPath(layer.tree, key.path);
      if (hit.found) entry = { value: hit.value, source: layer.source, origin: layer.origin(key, key.key, hit.value) };
    }
    setPath(merged, key.path, entry.value);
    sources[key.key] = entry;
  }
  if (!full(merged)) {
    throw new ConfigError(layerIssues(full.errors ?? [], (key) => (key ? describeSource(sources[key.key]!) : 'merged config')));
  }
  for (const key of CONFIG_KEYS) sources[key.key]!.value = getPath(merged, key.path).value;

  const config = merged as unknown as Config;
  const crossIssues = crossFieldIssues(config, sources);
  if (crossIssues.length > 0) throw new ConfigError(crossIssues);
  return { config, sources };
}

/** Sources with secrets (password hashes, tokens) masked, for the admin API and dashboard. */
export function publicSources(sources: ConfigSources): ConfigSources {
  const out = structuredClone(sources);
  const users = out.users;
  if (users && Array.isArray(users.value)) {
    users.value = (users.value as Array<Record<string, unknown>>).map((u) => ({
      ...u, passwordHash: '***', tokens: Array.isArray(u.tokens) ? u.tokens.map(() => '***') : [],
    }));
  }
  return out;
}

/** `default`, `file x.yaml`, `env ROCKETGATE_MQTT_PORT`, `flag --mqtt-port` */
export function describeSource(entry: ConfigValueSource): string {
  return entry.origin ?? entry.source;
}
