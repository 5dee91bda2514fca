/**
 * Requests to the admin API with the signed-in user's credentials (HTTP Basic, the same
 * users as MQTT and STOMP). Failures become ApiError with the API's stable code and message.
 */
const CREDENTIALS_KEY = 'rocketgate.dashboard.credentials';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

let authorization: string | undefined = sessionStorage.getItem(CREDENTIALS_KEY) ?? undefined;
let onUnauthorized: (() => void) | undefined;

function basic(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

export function setCredentials(username: string, password: string): void {
  authorization = basic(username, password);
  sessionStorage.setItem(CREDENTIALS_KEY, authorization);
}

export function clearCredentials(): void {
  authorization = undefined;
  sessionStorage.removeItem(CREDENTIALS_KEY);
}

export function hasCredentials(): boolean {
  return authorization !== undefined;
}

/** called when a request with stored credentials is refused as unauthenticated (password changed, user removed) */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE' | 'PUT';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
  /** text instead of JSON (Prometheus /metrics) */
  text?: boolean;
}

export function apiUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: options.text ? 'text/plain' : 'application/json' };
  if (authorization) headers.Authorization = authorization;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(apiUrl(path, options.query), {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: options.signal ?? null,
    cache: 'no-store',
  });
  if (!response.ok) {
    let code = `HTTP_${response.status}`;
    let message = response.statusText || `HTTP ${response.status}`;
    try {
      const problem = (await response.json()) as { error?: { code?: string; message?: string } };
      code = problem.error?.code ?? code;
      message = problem.error?.message ?? message;
    } catch {
      // not a JSON problem body: keep the status line
    }
    if (response.status === 401 && authorization) onUnauthorized?.();
    throw new ApiError(response.status, code, message);
  }
  if (response.status === 204) return undefined as T;
  return (options.text ? await response.text() : await response.json()) as T;
}

export const enc = encodeURIComponent;
