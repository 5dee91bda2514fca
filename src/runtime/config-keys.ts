/**
 * The leaves of the config schema and their three names: the dotted config key
 * (`mqtt.wsPort`), the environment variable (`ROCKETGATE_MQTT_WS_PORT`) and the CLI flag
 * (`--mqtt-ws-port`). Also the coercion of a flag or env string into the leaf's type.
 * Pure functions over config-schema.ts.
 */
import type { SchemaObject } from 'ajv';
import { configSchema } from './config-schema.js';

export const ENV_PREFIX = 'ROCKETGATE_';
/** the config file path; not a config key */
export const CONFIG_FILE_ENV = 'ROCKETGATE_CONFIG';

export type LeafKind = 'integer' | 'number' | 'boolean' | 'string' | 'enum' | 'integer-list' | 'json';

export interface ConfigKey {
  /** dotted path, e.g. `mqtt.wsPort` */
  key: string;
  path: string[];
  env: string;
  /** without the leading `--` */
  flag: string;
  kind: LeafKind;
  nullable: boolean;
  choices?: string[];
  default: unknown;
  description: string;
}

const upperSnake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

function typesOf(schema: SchemaObject): string[] {
  const t: unknown = schema.type;
  if (Array.isArray(t)) return t as string[];
  return typeof t === 'string' ? [t] : [];
}

function kindOf(schema: SchemaObject): LeafKind {
  if (Array.isArray(schema.enum)) return 'enum';
  const types = typesOf(schema).filter((t) => t !== 'null');
  const t = types[0];
  if (t === 'array' && (schema.items as SchemaObject | undefined)?.type === 'integer') return 'integer-list';
  if (t === 'integer' || t === 'number' || t === 'boolean' || t === 'string') return t;
  return 'json';
}

function isSection(schema: SchemaObject): boolean {
  return schema.type === 'object' && schema.properties !== undefined && !Array.isArray(schema.items);
}

function walk(schema: SchemaObject, path: string[], out: ConfigKey[]): void {
  for (const [name, child] of Object.entries(schema.properties as Record<string, SchemaObject>)) {
    const p = [...path, name];
    if (isSection(child)) {
      walk(child, p, out);
      continue;
    }
    const kind = kindOf(child);
    out.push({
      key: p.join('.'),
      path: p,
      env: ENV_PREFIX + p.map(upperSnake).join('_'),
      flag: p.map(kebab).join('-'),
      kind,
      nullable: typesOf(child).includes('null'),
      ...(kind === 'enum' ? { choices: (child.enum as unknown[]).map(String) } : {}),
      default: child.default,
      description: String(child.description ?? ''),
    });
  }
}

function collectKeys(): ConfigKey[] {
  const out: ConfigKey[] = [];
  walk(configSchema, [], out);
  return out;
}

/** every config key, in schema order */
export const CONFIG_KEYS: readonly ConfigKey[] = collectKeys();

export const CONFIG_KEY_BY_ENV: ReadonlyMap<string, ConfigKey> = new Map(CONFIG_KEYS.map((k) => [k.env, k]));
export const CONFIG_KEY_BY_KEY: ReadonlyMap<string, ConfigKey> = new Map(CONFIG_KEYS.map((k) => [k.key, k]));

/** the allowed keys of the section at `path` (`[]` = top level), or undefined when it is no section */
export function sectionKeys(path: string[]): string[] | undefined {
  let schema: SchemaObject | undefined = configSchema;
  for (const name of path) schema = (schema?.properties as Record<string, SchemaObject> | undefined)?.[name];
  return schema && isSection(schema) ? Object.keys(schema.properties as object) : undefined;
}

export type Coerced = { ok: true; value: unknown } | { ok: false; error: string };

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
/** words that mean null for a nullable number (`--stomp-ws-port off`); a nullable string takes only these two */
const NULL = new Set(['null', 'none', 'off', '']);
const NULL_STRING = new Set(['null', '']);

/** a flag or environment string → the leaf's type; errors say what was expected */
export function coerce(key: ConfigKey, raw: string): Coerced {
  const text = raw.trim();
  if (key.nullable && (key.kind === 'string' ? NULL_STRING : NULL).has(text.toLowerCase())) return { ok: true, value: null };
  switch (key.kind) {
    case 'integer':
      return /^-?\d+$/.test(text)
        ? { ok: true, value: Number(text) }
        : { ok: false, error: `expected an integer${key.nullable ? ' or "null"' : ''}, got "${raw}"` };
    case 'number': {
      const n = Number(text);
      return text !== '' && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, error: `expected a number, got "${raw}"` };
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return { ok: true, value: true };
      if (FALSE.has(lower)) return { ok: true, value: false };
      return { ok: false, error: `expected true or false, got "${raw}"` };
    }
    case 'string':
    case 'enum':
      return { ok: true, value: text };
    case 'integer-list': {
      const parts = text.split(',').map((s) => s.trim());
      return parts.every((s) => /^-?\d+$/.test(s))
        ? { ok: true, value: parts.map(Number) }
        : { ok: false, error: `expected comma-separated integers (e.g. "${String(key.default)}"), got "${raw}"` };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (err) {
        return { ok: false, error: `expected JSON: ${(err as Error).message}` };
      }
  }
}

/** how a value is written on a command line or in an environment variable */
export function formatValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number')) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Levenshtein distance, for "did you mean" suggestions */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** the closest candidate within a third of the word's length, if any */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}
