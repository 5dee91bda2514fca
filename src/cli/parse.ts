/**
 * Argument parsers of the admin subcommands: durations, points in time, counts and
 * `name=value` properties. Each throws UsageError naming the flag and what it accepts.
 */
import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;

/** `500ms`, `5s`, `2m`, `1h`, `1d`; a bare number is seconds (as curl --max-time, mosquitto_sub -W). */
export function parseDuration(flag: string, text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: expected a duration such as 500ms, 5s, 2m, 1h (a bare number is seconds), got "${text}"`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
}

/** A whole number in [min, max]. */
export function parseCount(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

export const EARLIEST = 0;
export const LATEST = Number.MAX_SAFE_INTEGER;

/**
 * A point in time as epoch ms: `earliest`, `latest`, an ISO 8601 date-time, epoch
 * milliseconds, or an age: `-10m` / `10m ago` (now minus a duration).
 */
export function parseTime(flag: string, text: string, now = Date.now()): number {
  const t = text.trim();
  if (t === 'earliest' || t === 'oldest' || t === 'first') return EARLIEST;
  if (t === 'latest' || t === 'newest' || t === 'last' || t === 'now') return t === 'now' ? now : LATEST;
  const age = /^-(.+)$/.exec(t) ?? /^(.+?)\s+ago$/.exec(t);
  if (age && DURATION.test(age[1]!.trim())) return Math.max(0, now - parseDuration(flag, age[1]!));
  if (/^\d{10,}$/.test(t)) return Number(t);
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new UsageError(`${flag}: expected earliest, latest, an ISO date-time (2025-01-31T12:00:00Z), epoch milliseconds, or an age such as -10m or "2h ago", got "${text}"`);
}

/** repeated `--property name=value` → object; the first `=` separates name from value */
export function parseProperties(flag: string, items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag}: expected name=value, got "${item}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** commander's collector for repeatable options */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `host:port` or a URL → the base URL of the HTTP listener */
export function parseServer(origin: string, text: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`${origin}: "${text}" is not a URL such as http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${origin}: "${text}" must be an http:// or https:// URL of the server's HTTP listener`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}
