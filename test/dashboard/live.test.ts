/**
 * The dashboard's live views in a real browser against a real server: the individual MQTT
 * and STOMP clients on the Connections page (and disconnecting one), MQTT retained
 * messages (list, clear), the Overview chart filled from the server's rate history on
 * first load, and what a read-only user is not offered. Screenshots under
 * test-artifacts/dashboard/; no console errors.
 */
import { jest } from '@jest/globals';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/runtime.js';
import {
  ADMIN, VIEWER, apiClient, openBrowser, screenshot, startDashboardServer, openPage, signIn, signOut, stompClient, unlabelledControls, until, type Api, type BrowserSession,
} from './fixture.js';

jest.setTimeout(90_000);

let server: TestServer;
let base: string;
let admin: Api;
let b: BrowserSession;
let page: Page;

beforeAll(async () => {
  server = await startDashboardServer();
  base = server.url('http');
  admin = apiClient(base, ADMIN);
  b = await openBrowser();
  page = b.page;
});

afterAll(async () => {
  await b?.close();
  await server?.stop();
});

afterEach(() => {
  expect(b.errors.splice(0)).toEqual([]);
});

test('the Overview chart starts with the server\'s recent history', async () => {
  // traffic, and at least two server samples, before the page is ever opened
  const client = await mqtt.connectAsync(server.url('mqtt'), { username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
  let n = 0;
  const timer = setInterval(() => void client.publishAsync('history/temp', String(n++), { qos: 1 }), 50);
  try {
    await until('two server-kept rate samples with MQTT traffic', async () => {
      const { body } = await admin<{ samples: Array<{ at: number; in: Record<string, number> }> }>('GET', '/v1/admin/rates');
      return body.samples.filter((s) => (s.in.mqtt ?? 0) > 1).length >= 2;
    });
  } finally {
    clearInterval(timer);
    await client.endAsync();
  }
  const openedAt = Date.now();
  await signIn(page, `${base}/dashboard/`, ADMIN);
  const card = page.locator('.chart-card');
  await until('the history in the chart', async () => Number(await card.getAttribute('data-samples')) >= 2);
  // the first point is older than the page: it came from the server
  expect(Number(await card.getAttribute('data-since'))).toBeLessThan(openedAt);
  await screenshot(page, '20-overview-history');
});

test('the Connections page lists MQTT and STOMP clients and disconnects one', async () => {
  const device = await mqtt.connectAsync(server.url('mqtt'), { clientId: 'dash-device-7', protocolVersion: 5, keepalive: 30, username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
  const reasons: number[] = [];
  device.on('disconnect', (p) => reasons.push(p.reasonCode ?? -1));
  const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
  const stomp = await stompClient(server.url('stomp-ws'), ADMIN);
  try {
    await device.subscribeAsync('plant/+/temp', { qos: 1 });
    await device.publishAsync('plant/line1/temp', '20.1', { qos: 1 });
    stomp.subscribe('/queue/orders', () => undefined, { ack: 'client' });

    await openPage(page, 'Connections', 'Connections');
    const row = page.locator('#clients-table tr[data-client-id="dash-device-7"]');
    await row.waitFor();
    await until('the device\'s subscription and counts', async () =>
      ((await row.locator('[data-subscriptions]').textContent()) ?? '').includes('plant/+/temp (QoS 1)')
      && (await row.locator('[data-count="in"]').textContent()) === '1');
    expect(await row.textContent()).toContain('mqtt 5.0');
    const stompRow = page.locator('#clients-table tr', { hasText: '/queue/orders' });
    await stompRow.waitFor();
    expect(await stompRow.textContent()).toContain('stomp 1.2');
    expect(await stompRow.textContent()).toContain('client');
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, '21-connections-clients');

    await row.getByRole('button', { name: 'Disconnect dash-device-7' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
    await closed;
    expect(reasons).toEqual([0x98]);
    await page.getByRole('status').filter({ hasText: 'Disconnected dash-device-7' }).waitFor();
    await row.waitFor({ state: 'detached' });
    const left = await admin<{ connections: Array<{ clientId: string }> }>('GET', '/v1/admin/connections');
    expect(left.body.connections.map((c) => c.clientId)).not.toContain('dash-device-7');
  } finally {
    await device.endAsync(true);
    await stomp.deactivate();
  }
});

test('the MQTT page lists retained messages and clears them', async () => {
  const pub = await mqtt.connectAsync(server.url('mqtt'), { protocolVersion: 5, username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
  try {
    await pub.publishAsync('lights/hall', 'on', { qos: 1, retain: true, properties: { contentType: 'text/plain' } });
    await pub.publishAsync('lights/porch', 'off', { qos: 1, retain: true });
    await pub.publishAsync('doors/front', 'locked', { qos: 1, retain: true });
  } finally {
    await pub.endAsync();
  }
  await openPage(page, 'MQTT', 'MQTT');
  await page.locator('#retained-table tr[data-topic="doors/front"]').waitFor();
  await page.getByLabel('MQTT topic filter').fill('lights/#');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await page.locator('#retained-table tr[data-topic="doors/front"]').waitFor({ state: 'detached' });
  expect(await page.locator('#retained-table tbody tr').count()).toBe(2);
  expect(await page.locator('#retained-table tr[data-topic="lights/hall"]').textContent()).toContain('text/plain');
  await screenshot(page, '22-mqtt-retained');

  await page.getByRole('button', { name: 'Clear retained lights/porch' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Clear' }).click();
  await page.getByRole('status').filter({ hasText: 'Cleared 1 retained message' }).waitFor();
  await page.locator('#retained-table tr[data-topic="lights/porch"]').waitFor({ state: 'detached' });
  const left = await admin<{ messages: Array<{ topic: string }> }>('GET', '/v1/admin/mqtt/retained?filter=%23');
  expect(left.body.messages.map((m) => m.topic)).toEqual(['doors/front', 'lights/hall']);

  await page.getByRole('button', { name: 'Clear all shown' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Clear' }).click();
  await page.getByRole('status').filter({ hasText: 'Cleared 1 retained message (all matching lights/#)' }).waitFor();
  const rest = await admin<{ messages: Array<{ topic: string }> }>('GET', '/v1/admin/mqtt/retained?filter=%23');
  expect(rest.body.messages.map((m) => m.topic)).toEqual(['doors/front']);
});

test('a read-only user is offered neither disconnect nor clear', async () => {
  const device = await mqtt.connectAsync(server.url('mqtt'), { clientId: 'dash-viewer-sees', username: ADMIN.username, password: ADMIN.password, reconnectPeriod: 0 });
  try {
    await signOut(page);
    await signIn(page, `${base}/dashboard/`, VIEWER);
    await openPage(page, 'Connections', 'Connections');
    await page.locator('#clients-table tr[data-client-id="dash-viewer-sees"]').waitFor();
    expect(await page.getByRole('button', { name: /Disconnect/ }).count()).toBe(0);
    await openPage(page, 'MQTT', 'MQTT');
    await page.locator('#retained-table tr[data-topic="doors/front"]').waitFor();
    expect(await page.getByRole('button', { name: /Clear/ }).count()).toBe(0);
  } finally {
    await device.endAsync();
  }
});
