/**
 * The web dashboard (issue 10) in a real browser (Debian's Chromium via playwright-core)
 * against a real embedded server: sign-in, a live overview chart under MQTT traffic,
 * topic creation, lookup by key of a STOMP message, DLQ re-drive, read-only users.
 * Every page is saved under test-artifacts/dashboard/ and must log no console error.
 */
import { jest } from '@jest/globals';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/runtime.js';
import {
  ADMIN, VIEWER, apiClient, openBrowser, screenshot, startDashboardServer, openPage, signIn, signOut, stompClient, unlabelledControls, until, type Api, type BrowserSession,
} from './fixture.js';

jest.setTimeout(90_000);

let server: TestServer;
let base: string;
let admin: Api;
let viewer: Api;
let b: BrowserSession;
let page: Page;

beforeAll(async () => {
  server = await startDashboardServer();
  base = server.url('http');
  admin = apiClient(base, ADMIN);
  viewer = apiClient(base, VIEWER);
  b = await openBrowser();
  page = b.page;
});

afterAll(async () => {
  await b?.close();
  await server?.stop();
});

afterEach(() => {
  // no console errors on any page
  expect(b.errors.splice(0)).toEqual([]);
});

async function expectLabelled(): Promise<void> {
  expect(await unlabelledControls(page)).toEqual([]);
}

describe('server side', () => {
  test('/ redirects to /dashboard/, which is served with a same-origin-only CSP', async () => {
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/dashboard/');
    const bare = await fetch(`${base}/dashboard`, { redirect: 'manual' });
    expect(bare.headers.get('location')).toBe('/dashboard/');
    const index = await fetch(`${base}/dashboard/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await index.text();
    const assets = [...html.matchAll(/(?:href|src)="(assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      const res = await fetch(`${base}/dashboard/${asset}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toContain('immutable');
    }
    expect(html).not.toMatch(/https?:\/\//);
  });

  test('session, browse and storage need credentials; read-only users are told so', async () => {
    const anonymous = await fetch(`${base}/dashboard/api/session`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toMatchObject({ authenticated: false, canRead: false, authRequired: true });
    const wrong = await apiClient(base, { username: 'admin', password: 'nope' })('GET', '/dashboard/api/session');
    expect(wrong.body).toMatchObject({ authenticated: false, canRead: false });
    expect((await fetch(`${base}/dashboard/api/browse?topic=x`)).status).toBe(401);
    expect((await viewer('GET', '/dashboard/api/session')).body).toMatchObject({ username: 'viewer', canRead: true, canWrite: false });
    expect((await admin('GET', '/dashboard/api/session')).body).toMatchObject({ username: 'admin', canRead: true, canWrite: true });
    const storage = await viewer<{ embedded: boolean; storeBytes: number }>('GET', '/dashboard/api/storage');
    expect(storage.body.embedded).toBe(true);
    expect(storage.body.storeBytes).toBeGreaterThan(0);
  });

  test('browse reads a queue from an offset or a time and validates its query', async () => {
    await admin('POST', '/v1/topics', { topic: 'browse-me', queueCount: 1 });
    for (let i = 0; i < 5; i++) await admin('POST', '/v1/topics/browse-me/messages', { body: `m${i}` });
    const all = await admin<{ messages: Array<{ body: string; queueOffset: number; storeTimestamp: number }>; maxOffset: number }>('GET', '/dashboard/api/browse?topic=browse-me&queueId=0');
    expect(all.body.messages.map((m) => m.body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    const from2 = await admin<{ messages: Array<{ body: string }> }>('GET', '/dashboard/api/browse?topic=browse-me&offset=2&max=2');
    expect(from2.body.messages.map((m) => m.body)).toEqual(['m2', 'm3']);
    const at = all.body.messages[3]!.storeTimestamp;
    const byTime = await admin<{ messages: Array<{ queueOffset: number }> }>('GET', `/dashboard/api/browse?topic=browse-me&timestamp=${at}`);
    expect(byTime.body.messages[0]!.queueOffset).toBeLessThanOrEqual(3);
    expect((await admin('GET', '/dashboard/api/browse?topic=browse-me&max=0')).status).toBe(400);
    expect((await admin('GET', '/dashboard/api/browse?topic=nope')).status).toBe(404);
    expect((await admin('GET', '/dashboard/api/browse?topic=browse-me&queueId=9')).status).toBe(400);
  });
});

describe('in the browser', () => {
  test('log in', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, '01-login');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();
    await signIn(page, `${base}/`, ADMIN);
    await expect(page.locator('#current-user').textContent()).resolves.toBe('admin');
    await expectLabelled();
  });

  test('the overview chart moves while a script publishes over MQTT', async () => {
    await openPage(page, 'Overview', 'Overview');
    const chart = page.locator('.chart-card canvas').first();
    await chart.waitFor();
    const before = await chart.screenshot();
    const client = await mqtt.connectAsync(server.url('mqtt'), { username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
    let n = 0;
    const timer = setInterval(() => void client.publishAsync('sensors/temp', JSON.stringify({ n: n++, c: 21.5 }), { qos: 1 }), 50);
    try {
      const mqttIn = page.locator('#protocol-rates tr[data-protocol="mqtt"] [data-rate="in"]');
      const samples = async (): Promise<number> => Number(await page.locator('.chart-card').getAttribute('data-samples'));
      const first = await samples();
      await until('an MQTT rate above 1/s over several samples', async () =>
        (await mqttIn.count()) > 0 && parseFloat((await mqttIn.textContent()) ?? '0') > 1 && (await samples()) >= first + 3);
      expect(parseFloat((await mqttIn.textContent()) ?? '0')).toBeGreaterThan(1);
      const after = await chart.screenshot();
      expect(after.equals(before)).toBe(false);
      await screenshot(page, '02-overview');
    } finally {
      clearInterval(timer);
      await client.endAsync();
    }
    expect(await page.locator('.stat', { hasText: 'Flush mode' }).textContent()).toMatch(/async|sync/);
    expect(await page.locator('.stat', { hasText: 'Store size' }).textContent()).toMatch(/[KMG]iB/);
    await expectLabelled();
  });

  test('a topic created in the UI exists over the API', async () => {
    await openPage(page, 'Topics', 'Topics');
    await expectLabelled();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create a topic' }) });
    await form.getByLabel('Name').fill('ui-made');
    await form.getByLabel('Queues').fill('3');
    await form.getByRole('button', { name: 'Create topic' }).click();
    await page.getByRole('heading', { level: 1, name: 'Topic ui-made' }).waitFor();
    const topic = await admin<{ topic: string; queueCount: number }>('GET', '/v1/topics/ui-made');
    expect(topic.status).toBe(200);
    expect(topic.body.queueCount).toBe(3);
    await page.locator('#queues-table tbody tr').nth(2).waitFor();
    await screenshot(page, '04-topic-detail');
    await openPage(page, 'Topics', 'Topics');
    await page.locator('#topics-table tr[data-topic="ui-made"]').waitFor();
    await screenshot(page, '03-topics');
  });

  test('a topic deleted in the UI, after typing its name, is gone over the API', async () => {
    await admin('POST', '/v1/topics', { topic: 'doomed', queueCount: 1 });
    await page.goto(`${base}/dashboard/#/topics/doomed`);
    await page.getByRole('button', { name: 'Delete topic' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('button', { name: 'Delete topic' }).isDisabled()).resolves.toBe(true);
    await dialog.getByLabel(/Type doomed to confirm/).fill('doomed');
    await dialog.getByRole('button', { name: 'Delete topic' }).click();
    await page.getByRole('heading', { level: 1, name: 'Topics' }).waitFor();
    expect((await admin('GET', '/v1/topics/doomed')).status).toBe(404);
  });

  test('a message published over STOMP is found by key with its properties', async () => {
    const stomp = await stompClient(server.url('stomp-ws'), ADMIN);
    try {
      const receipt = new Promise<void>((resolve) => stomp.watchForReceipt('sent-1', () => resolve()));
      stomp.publish({
        destination: '/topic/orders/created',
        body: JSON.stringify({ id: 42, total: 99.5 }),
        headers: { keys: 'ord-42', color: 'blue', region: 'eu-west', 'content-type': 'application/json', receipt: 'sent-1' },
      });
      await receipt;
    } finally {
      await stomp.deactivate();
    }
    await openPage(page, 'Messages', 'Messages');
    await page.getByRole('link', { name: 'By key' }).click();
    await page.getByLabel('Topic').fill('orders');
    await page.getByLabel('Key').fill('ord-42');
    await page.getByRole('button', { name: 'Find' }).click();
    const row = page.locator('.messages-table tbody tr').first();
    await row.waitFor();
    await expectLabelled();
    await screenshot(page, '06-messages-by-key');
    await row.getByRole('link').first().click();
    await page.getByRole('heading', { level: 1, name: 'Message' }).waitFor();
    const props = page.locator('#properties-table');
    await expect(props.locator('tr', { hasText: 'color' }).textContent()).resolves.toContain('blue');
    await expect(props.locator('tr', { hasText: 'region' }).textContent()).resolves.toContain('eu-west');
    const facts = (await page.locator('#message-facts').textContent()) ?? '';
    expect(facts).toContain('created');
    expect(facts).toContain('ord-42');
    expect(facts).toContain('application/json');
    await expect(page.locator('#message-body').textContent()).resolves.toContain('"total": 99.5');
    await page.getByLabel('Hex').check();
    await expect(page.locator('#message-body').textContent()).resolves.toMatch(/^00000000 {2}7b 22/);
    await page.getByLabel('JSON').check();
    await screenshot(page, '07-message-detail');
  });

  test('browsing a queue from the topic page lists its messages', async () => {
    await page.goto(`${base}/dashboard/#/topics/browse-me`);
    await page.getByRole('link', { name: 'Browse messages' }).click();
    await page.locator('.messages-table tbody tr').nth(4).waitFor();
    await expectLabelled();
    await screenshot(page, '08-messages-browse');
  });

  test('a DLQ re-drive from the UI delivers the message again', async () => {
    // a pop consumer that fails the message until it is dead-lettered (16 retries by default)
    const receive = (waitMs: number) => admin<{ messages: Array<{ msgId: string; body: string; receiptHandle: string }> }>(
      'POST', '/v1/groups/workers/topics/jobs/receive', { max: 1, waitMs, invisibleMs: 60_000 });
    await admin('POST', '/v1/topics', { topic: 'jobs', queueCount: 1 });
    await receive(0);
    const sent = await admin<{ msgId: string }>('POST', '/v1/topics/jobs/messages', { body: 'poison pill', keys: ['job-7'] });
    for (let i = 0; i < 40; i++) {
      const m = (await receive(3_000)).body.messages[0];
      if (!m) break;
      await admin('POST', '/v1/groups/workers/topics/jobs/nack', { receiptHandles: [m.receiptHandle], delayMs: 0 });
    }
    const dead = await admin<{ messages: Array<{ originMsgId: string }> }>('GET', '/v1/groups/workers/dead-letters');
    expect(dead.body.messages.map((m) => m.originMsgId)).toContain(sent.body.msgId);

    await openPage(page, 'Dead letters', 'Dead letters');
    await page.getByRole('link', { name: 'workers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dead letters of workers' }).waitFor();
    await page.locator('#dead-letters-table tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Re-drive all' }).click();
    await page.getByRole('status').filter({ hasText: 'Re-drive: 1 of 1' }).waitFor();
    await page.getByRole('status').filter({ hasText: '1 dead letters sent back to workers' }).waitFor();
    await page.locator('#dead-letters-table .badge', { hasText: 're-driven' }).waitFor();
    await screenshot(page, '10-dead-letters');

    const again = (await receive(10_000)).body.messages[0];
    expect(again?.body).toBe('poison pill');
    expect(again?.msgId).toBe(sent.body.msgId);
    await openPage(page, 'Dead letters', 'Dead letters');
    await screenshot(page, '09-dead-letter-groups');
  });

  test('groups list kinds and members; a group shows lag per queue and resets offsets', async () => {
    await openPage(page, 'Groups', 'Consumer groups');
    await page.locator('#groups-table tr[data-group="workers"]').waitFor();
    await expectLabelled();
    await screenshot(page, '11-groups');
    await page.getByRole('link', { name: 'workers', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Group workers' }).waitFor();
    await page.locator('#lag-table').waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Reset offsets to a time' }) });
    await form.getByLabel('Topic').selectOption('jobs');
    await form.getByLabel('Time').fill('2000-01-01T00:00:00');
    await form.getByRole('button', { name: 'Reset offsets' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset offsets' }).click();
    await page.getByRole('status').filter({ hasText: 'Offsets of workers on jobs moved' }).waitFor();
    const lag = await admin<{ queues: Array<{ topic: string; consumerOffset: number }> }>('GET', '/v1/groups/workers/lag');
    expect(lag.body.queues.find((q) => q.topic === 'jobs')?.consumerOffset).toBe(0);
    await screenshot(page, '12-group-detail');
  });

  test('connections, MQTT, config and cluster pages render', async () => {
    const client = await mqtt.connectAsync(server.url('mqtt'), { clientId: 'dash-sensor', clean: false, username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
    try {
      await client.subscribeAsync('sensors/#', { qos: 1 });
      await client.subscribeAsync('$share/dash/alerts/#', { qos: 1 });
      await client.publishAsync('sensors/room1/temp', '21.5', { qos: 1, retain: true });

      await openPage(page, 'Connections', 'Connections');
      await page.locator('.stat', { hasText: 'mqtt connections' }).waitFor();
      await expectLabelled();
      await screenshot(page, '13-connections');

      await openPage(page, 'MQTT', 'MQTT');
      await page.locator('#retained-table tr', { hasText: 'sensors/room1/temp' }).waitFor({ timeout: 20_000 });
      await page.locator('#shared-table').waitFor();
      await expectLabelled();
      await screenshot(page, '14-mqtt');
    } finally {
      await client.endAsync();
    }

    await openPage(page, 'Config', 'Configuration');
    await page.locator('#config-table tr', { hasText: 'users' }).waitFor();
    const users = (await page.locator('#config-table tr', { hasText: 'users' }).first().textContent()) ?? '';
    expect(users).toContain('***');
    expect(users).not.toContain('scrypt$');
    await expect(page.locator('#config-table tr', { hasText: 'http.port' }).first().textContent()).resolves.toContain('file');
    await expectLabelled();
    await screenshot(page, '15-config');

    await openPage(page, 'Cluster', 'Cluster');
    await page.getByText('This server runs embedded').waitFor();
    await screenshot(page, '16-cluster');
  });

  test('a read-only user sees no button that changes anything and cannot delete', async () => {
    await signOut(page);
    await signIn(page, `${base}/`, VIEWER);
    await page.locator('#read-only-badge').waitFor();
    await openPage(page, 'Topics', 'Topics');
    await page.locator('#topics-table tr[data-topic="ui-made"]').waitFor();
    expect(await page.getByRole('heading', { name: 'Create a topic' }).count()).toBe(0);
    await page.getByRole('link', { name: 'ui-made', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Topic ui-made' }).waitFor();
    await page.locator('#queues-table').waitFor();
    expect(await page.getByRole('button', { name: 'Delete topic' }).count()).toBe(0);
    await screenshot(page, '17-read-only-topic');

    await page.goto(`${base}/dashboard/#/groups/workers`);
    await page.locator('#lag-table').waitFor();
    expect(await page.getByRole('button', { name: /Reset offsets|Delete group/ }).count()).toBe(0);
    await page.goto(`${base}/dashboard/#/dead-letters/workers`);
    await page.locator('#dead-letters-table').waitFor();
    expect(await page.getByRole('button', { name: /Re-drive/ }).count()).toBe(0);

    // the API refuses it anyway
    const refused = await viewer<{ error: { code: string } }>('DELETE', '/v1/topics/ui-made');
    expect(refused.status).toBe(403);
    expect((await admin('GET', '/v1/topics/ui-made')).status).toBe(200);
  });

  test('keyboard: a skip link leads to the content, Escape closes a confirmation', async () => {
    await page.goto(`${base}/dashboard/#/topics/ui-made`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Topic ui-made' }).waitFor();
    await page.keyboard.press('Tab');
    await expect(page.evaluate<string>('document.activeElement.textContent')).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate<string>('document.activeElement.id')).resolves.toBe('main');
    // the read-only user of the previous test is signed in: sign in as admin for the delete button
    await signOut(page);
    await signIn(page, `${base}/`, ADMIN);
    await page.goto(`${base}/dashboard/#/topics/ui-made`);
    await page.getByRole('heading', { level: 1, name: 'Topic ui-made' }).waitFor();
    await page.locator('#queues-table').waitFor();
    await page.getByRole('button', { name: 'Delete topic' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await expect(page.evaluate<string>('document.activeElement.textContent')).resolves.toBe('Delete topic');
    expect((await admin('GET', '/v1/topics/ui-made')).status).toBe(200);
  });

  test('readable on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/dashboard/#/overview`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(menu.isVisible()).resolves.toBe(true);
    // nothing wider than the screen: tables scroll inside their own frame
    await until('no horizontal overflow', async () => (await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')) <= 0, 5_000);
    await screenshot(page, '18-phone-overview');
    await menu.click();
    await expect(menu.getAttribute('aria-expanded')).resolves.toBe('true');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Topics' }).click();
    await page.getByRole('heading', { level: 1, name: 'Topics' }).waitFor();
    await screenshot(page, '19-phone-topics');
    await page.setViewportSize({ width: 1366, height: 900 });
  });
});

describe('a server without users', () => {
  let open: TestServer;

  beforeAll(async () => {
    open = await startTestServer({ stomp: { enabled: false }, mqtt: { enabled: false } });
  });

  afterAll(async () => {
    await open?.stop();
  });

  test('opens the dashboard without a sign-in, with every right', async () => {
    const session = await fetch(`${open.url('http')}/dashboard/api/session`);
    expect(await session.json()).toMatchObject({ authenticated: true, username: 'anonymous', canWrite: true, authRequired: false });
    await page.goto(`${open.url('http')}/`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await page.goto('about:blank'); // the page polls; leave it before the server stops
  });
});
