/**
 * Listeners: TCP, STOMP over WebSocket with a real client library (@stomp/stompjs),
 * TLS on both, the connection limit; raw TCP for split and batched frames.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IMessage } from '@stomp/stompjs';
import { WebSocket } from 'ws';
import { encodeFrame } from '../../../src/adapters/stomp/encoder.js';
import { makeFrame } from '../../../src/adapters/stomp/frame.js';
import { collector, RawStompClient, startStompServer, stompJsClient, type StompServer } from './helpers/server.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const tls = { key: readFileSync(path.join(fixtures, 'key.pem')), cert: readFileSync(path.join(fixtures, 'cert.pem')) };

describe('plain listeners', () => {
  let server: StompServer;
  beforeAll(async () => {
    server = await startStompServer();
  });
  afterAll(async () => {
    await server.close();
  });

  test('stompjs over WebSocket: subprotocol v12.stomp, send, subscribe, receipts, binary body', async () => {
    const a = await stompJsClient(server.wsUrl);
    const b = await stompJsClient(server.wsUrl);
    try {
      expect(a.connectedVersion).toBe('1.2');
      const got = collector<IMessage>();
      b.subscribe('/topic/ws/news', (m) => got.push(m), { id: 'ws-sub' });
      // the SUBSCRIBE is in effect once a later frame's receipt arrived
      await new Promise<void>((resolve) => {
        b.watchForReceipt('sync', () => resolve());
        b.publish({ destination: '/queue/ws-sync', headers: { receipt: 'sync' }, body: 'x' });
      });
      const binary = new Uint8Array([0, 1, 2, 255, 0]);
      a.publish({ destination: '/topic/ws/news', body: 'hello over ws', headers: { 'x-k': 'v' } });
      a.publish({ destination: '/topic/ws/news', binaryBody: binary, headers: { 'content-type': 'application/octet-stream' } });
      const [text, bin] = await got.waitFor(2);
      expect(text!.body).toBe('hello over ws');
      expect(text!.headers['x-k']).toBe('v');
      expect(text!.headers.subscription).toBe('ws-sub');
      expect(Buffer.from(bin!.binaryBody).equals(Buffer.from(binary))).toBe(true);
      expect(bin!.headers['content-type']).toBe('application/octet-stream');
    } finally {
      await a.deactivate();
      await b.deactivate();
    }
  });

  test('stompjs client-individual ack and nack over WebSocket', async () => {
    const c = await stompJsClient(server.wsUrl);
    try {
      const got = collector<IMessage>();
      c.subscribe('/queue/ws-acks', (m) => {
        got.push(m);
        if (m.headers.redelivered === 'true') m.ack();
        else m.nack();
      }, { ack: 'client-individual' });
      c.publish({ destination: '/queue/ws-acks', body: 'nack me once' });
      const [first, second] = await got.waitFor(2, 10_000);
      expect(first!.headers['delivery-count']).toBe('1');
      expect(second!.headers['delivery-count']).toBe('2');
      expect(second!.body).toBe('nack me once');
    } finally {
      await c.deactivate();
    }
  });

  test('the WebSocket listener answers a plain HTTP request with 426', async () => {
    const url = server.wsUrl.replace('ws://', 'http://');
    const res = await fetch(url);
    expect(res.status).toBe(426);
  });

  test('a WebSocket client offering no STOMP subprotocol still speaks STOMP', async () => {
    const ws = new WebSocket(server.wsUrl);
    await new Promise((resolve) => ws.once('open', resolve));
    expect(ws.protocol).toBe('');
    const reply = new Promise<Buffer>((resolve) => ws.once('message', (d: Buffer) => resolve(d)));
    ws.send(encodeFrame(makeFrame('CONNECT', { 'accept-version': '1.2', host: 'x' })));
    expect((await reply).toString()).toMatch(/^CONNECTED\n/);
    ws.close();
  });

  test('a frame split into single bytes over TCP', async () => {
    const sub = await RawStompClient.open(server.port);
    await sub.request('SUBSCRIBE', { id: 's', destination: '/queue/split' });
    const producer = await RawStompClient.open(server.port, { headers: null });
    const bytes = Buffer.concat([
      encodeFrame(makeFrame('CONNECT', { 'accept-version': '1.2', host: 'x' })),
      encodeFrame(makeFrame('SEND', { destination: '/queue/split', receipt: 'done' }, Buffer.from([1, 0, 2]))),
    ]);
    for (const byte of bytes) {
      producer.raw(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    expect((await producer.next()).command).toBe('CONNECTED');
    expect((await producer.next()).headers.get('receipt-id')).toBe('done');
    expect((await sub.next()).body.equals(Buffer.from([1, 0, 2]))).toBe(true);
    await Promise.all([sub.disconnect(), producer.disconnect()]);
  });

  test('many frames in one TCP write, with heart-beat EOLs between them', async () => {
    const sub = await RawStompClient.open(server.port);
    await sub.request('SUBSCRIBE', { id: 's', destination: '/queue/batched' });
    const producer = await RawStompClient.open(server.port, { headers: null });
    const frames = [encodeFrame(makeFrame('CONNECT', { 'accept-version': '1.2' })), Buffer.from('\r\n\n')];
    for (let i = 0; i < 50; i++) frames.push(encodeFrame(makeFrame('SEND', { destination: '/queue/batched' }, `b${i}`)), Buffer.from('\n'));
    frames.push(encodeFrame(makeFrame('DISCONNECT', { receipt: 'bye' })));
    producer.raw(Buffer.concat(frames));
    expect((await producer.next()).command).toBe('CONNECTED');
    expect((await producer.next()).headers.get('receipt-id')).toBe('bye');
    const got = await sub.take(50);
    expect(new Set(got.map((f) => f.body.toString())).size).toBe(50);
    await producer.closed;
    await sub.disconnect();
  });
});

describe('TLS', () => {
  let server: StompServer;
  beforeAll(async () => {
    server = await startStompServer({ config: { tls } });
  });
  afterAll(async () => {
    await server.close();
  });

  test('STOMP over TLS (stomp+ssl) and over WSS reach each other', async () => {
    expect(server.adapter.addresses().map((a) => a.url.split(':')[0])).toEqual(['stomp+ssl', 'wss']);
    // both verify the server certificate against the test CA (the self-signed cert)
    const sub = await RawStompClient.open(server.port, { ca: tls.cert });
    await sub.request('SUBSCRIBE', { id: 's', destination: '/topic/secure' });
    const ws = await stompJsClient(server.wsUrl, {}, { ca: tls.cert });
    ws.publish({ destination: '/topic/secure', body: 'over wss' });
    expect((await sub.next()).body.toString()).toBe('over wss');
    await ws.deactivate();
    await sub.disconnect();
  });
});

describe('maxConnections (DESIGN.md §6: explicit limits)', () => {
  let server: StompServer;
  beforeAll(async () => {
    server = await startStompServer({ config: { maxConnections: 2 } });
  });
  afterAll(async () => {
    await server.close();
  });

  test('the connection over the limit gets an ERROR and is closed; the others keep working', async () => {
    const a = await RawStompClient.open(server.port);
    const b = await RawStompClient.open(server.port);
    const c = await RawStompClient.open(server.port, { headers: null });
    const error = await c.next();
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('message')).toBe('too many connections');
    await c.closed;
    await a.request('SEND', { destination: '/queue/limit' }, 'still fine');
    expect(server.adapter.stats().connections).toBe(2);
    await Promise.all([a.disconnect(), b.disconnect()]);
  });
});
