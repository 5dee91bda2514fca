import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHttp, type HttpHarness } from './helpers.js';

// a self-signed certificate for localhost / 127.0.0.1, valid for 100 years (test fixture only)
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const certFile = path.join(dir, 'localhost-cert.pem');
const keyFile = path.join(dir, 'localhost-key.pem');

function request(url: string, init: { method: string; body?: string; ca: string }): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method, ca: init.ca, headers: init.body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('TLS listener', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    // key as a path, cert as PEM text: both forms are accepted
    h = await startHttp({ config: { tls: { key: keyFile, cert: readFileSync(certFile, 'utf8') } } });
  });
  afterAll(() => h.close());

  it('listens on https and publishes over it', async () => {
    expect(h.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(h.adapter.addresses()[0]!.name).toBe('https');
    const ca = readFileSync(certFile, 'utf8');
    const res = await request(`${h.url}/v1/topics/secure/messages`, { method: 'POST', body: JSON.stringify({ body: 'over tls' }), ca });
    expect(res.status).toBe(201);
    expect(res.body.topic).toBe('secure');
    expect((await request(`${h.url}/v1/health`, { method: 'GET', ca })).body.status).toBe('ok');
  });

  it('refuses clients that do not trust the certificate', async () => {
    await expect(request(`${h.url}/v1/health`, { method: 'GET', ca: '' })).rejects.toThrow();
  });
});
