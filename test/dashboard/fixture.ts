/**
 * What the dashboard's browser tests share: a real embedded server (every adapter, port 0)
 * with an admin and a read-only user, the built dashboard, Debian's Chromium driven by
 * playwright-core, and small clients of the admin API.
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, type IFrame } from '@stomp/stompjs';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { hashPassword } from '../../src/adapters/common/user-auth.js';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import { startTestServer, type TestServer } from '../helpers/runtime.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test-artifacts', 'dashboard');

export const ADMIN = { username: 'admin', password: 'admin-secret-1' };
export const VIEWER = { username: 'viewer', password: 'viewer-secret-1' };
/** cheap scrypt parameters: a test signs in many times */
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

export function basicAuth(user: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
}

export async function startDashboardServer(): Promise<TestServer> {
  await buildDashboard();
  return startTestServer({
    allowAnonymous: false,
    users: [
      { username: ADMIN.username, passwordHash: hashPassword(ADMIN.password, FAST_SCRYPT), admin: true, readOnly: false, tokens: [], acl: [{ pattern: '#', actions: ['publish', 'subscribe'] }] },
      { username: VIEWER.username, passwordHash: hashPassword(VIEWER.password, FAST_SCRYPT), admin: false, readOnly: true, tokens: [], acl: [{ pattern: '#', actions: ['subscribe'] }] },
    ],
  });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** console errors and uncaught exceptions, with the page's address at the time */
  errors: string[];
  close(): Promise<void>;
}

/** Debian's Chromium, headless, on a fresh profile directory (playwright passes it as --user-data-dir) */
export async function openBrowser(viewport = { width: 1366, height: 900 }): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'rocketgate-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (err: Error) => errors.push(`${page.url()}: ${err.message}`));
  return {
    context, page, errors,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface Api {
  <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export function apiClient(baseUrl: string, user: { username: string; password: string }): Api {
  return async <T>(method: string, p: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { Authorization: basicAuth(user), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

/** @stomp/stompjs over the STOMP WebSocket listener, connected */
export async function stompClient(url: string, user: { username: string; password: string }): Promise<Client> {
  const client = new Client({
    webSocketFactory: () => new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp']),
    connectHeaders: { login: user.username, passcode: user.password },
    reconnectDelay: 0,
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
  });
  await new Promise<void>((resolve, reject) => {
    client.onConnect = () => resolve();
    client.onStompError = (frame: IFrame) => reject(new Error(frame.headers.message ?? 'STOMP error'));
    client.onWebSocketError = () => reject(new Error('STOMP WebSocket error'));
    client.activate();
  });
  return client;
}

/** every form control of the page has an accessible name (a label, aria-label or aria-labelledby) */
export async function unlabelledControls(page: Page): Promise<string[]> {
  // runs in the page (a string: this project compiles without the DOM library)
  return page.evaluate<string[]>(`(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      const named = (el.labels && el.labels.length > 0) || el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby');
      if (!named) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  })()`);
}

/** opens `url` (the dashboard, or a page redirecting to it), signs in and waits for the Overview */
export async function signIn(page: Page, url: string, user: { username: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.waitForURL(/\/dashboard\/$/);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

/** follows the main navigation's link `nav` and waits for the page's heading */
export async function openPage(page: Page, nav: string, heading: string | RegExp): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: nav, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** polls `probe` until it holds (the page's CSP forbids the string predicates of waitForFunction) */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
