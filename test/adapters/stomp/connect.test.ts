/**
 * Connection-level behaviour over the in-memory wire: nothing here reaches the kernel
 * (untouchableKernel throws if it is used).
 */
import { createUserAuthenticator, hashPassword } from '../../../src/adapters/common/user-auth.js';
import { makeFrame } from '../../../src/adapters/stomp/frame.js';
import { openWire } from './helpers/wire.js';

const CONNECT_12 = 'CONNECT\naccept-version:1.2\nhost:x\n\n\0';

describe('STOMP 1.2 §CONNECT or STOMP Frame', () => {
  test('STOMP 1.2 §CONNECT: a frame before CONNECT gets an ERROR and a close', async () => {
    const { wire } = openWire();
    wire.send('SEND\ndestination:/queue/a\nreceipt:r1\n\nx\0');
    const error = await wire.frame(0);
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('message')).toBe('not connected');
    expect(error.headers.get('receipt-id')).toBe('r1');
    expect(error.body.toString()).toContain('CONNECT');
    await wire.until(() => wire.destroyed, 2_000, 'close');
  });

  test.each([
    ['1.0,1.1,1.2', '1.2'],
    ['1.1', '1.1'],
    ['1.0', '1.0'],
    ['1.1,2.0', '1.1'],
  ])('STOMP 1.2 §Protocol Negotiation: accept-version %s → %s', async (offered, chosen) => {
    const { wire } = openWire();
    wire.send(`CONNECT\naccept-version:${offered}\nhost:x\n\n\0`);
    const connected = await wire.frame(0);
    expect(connected.command).toBe('CONNECTED');
    expect(connected.headers.get('version')).toBe(chosen);
    expect(connected.headers.get('session')).toMatch(/^[0-9a-f]{12}$/);
  });

  test('STOMP 1.2 §Protocol Negotiation: no accept-version header means STOMP 1.0', async () => {
    const { wire } = openWire();
    wire.send('CONNECT\n\n\0');
    const connected = await wire.frame(0);
    expect(connected.headers.get('version')).toBe('1.0');
    expect(connected.headers.has('heart-beat')).toBe(false);
  });

  test('STOMP 1.2 §Protocol Negotiation: no common version → ERROR listing the supported ones', async () => {
    const { wire } = openWire();
    wire.send('CONNECT\naccept-version:2.0,3.1\n\n\0');
    const error = await wire.frame(0);
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('version')).toBe('1.0,1.1,1.2');
    await wire.until(() => wire.destroyed, 2_000, 'close');
  });

  test('STOMP 1.2 §CONNECT or STOMP Frame: the STOMP command connects like CONNECT', async () => {
    const { wire } = openWire();
    wire.send('STOMP\naccept-version:1.2\nhost:x\n\n\0');
    expect((await wire.frame(0)).command).toBe('CONNECTED');
  });

  test('a connection that never sends CONNECT is closed after connectTimeoutMs', async () => {
    const { wire } = openWire({ config: { connectTimeoutMs: 50 } });
    const error = await wire.frame(0, 2_000);
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('message')).toBe('no CONNECT in time');
    await wire.until(() => wire.destroyed, 2_000, 'close');
  });

  test('a second CONNECT is an error', async () => {
    const { wire } = openWire();
    wire.send(CONNECT_12 + CONNECT_12);
    expect((await wire.frame(1)).command).toBe('ERROR');
    expect(wire.frames[1]!.headers.get('message')).toBe('already connected');
  });

  test('STOMP 1.2 §Value Encoding: CONNECT headers are not unescaped', async () => {
    const auth = createUserAuthenticator({ users: [{ username: 'u', passwordHash: hashPassword('p\\cq', { N: 1024, r: 8, p: 1 }) }], allowAnonymous: false });
    const { wire } = openWire({ auth });
    wire.send('CONNECT\naccept-version:1.2\nlogin:u\npasscode:p\\cq\n\n\0');
    expect((await wire.frame(0)).command).toBe('CONNECTED');
  });
});

describe('authentication (login/passcode, same users as MQTT)', () => {
  const auth = createUserAuthenticator({
    users: [{ username: 'alice', passwordHash: hashPassword('secret', { N: 1024, r: 8, p: 1 }) }],
    allowAnonymous: false,
  });

  test('right credentials connect', async () => {
    const { wire, connection } = openWire({ auth });
    wire.send('CONNECT\naccept-version:1.2\nlogin:alice\npasscode:secret\n\n\0');
    expect((await wire.frame(0)).command).toBe('CONNECTED');
    expect(connection.principal?.username).toBe('alice');
  });

  test.each([
    ['wrong passcode', 'login:alice\npasscode:nope\n'],
    ['unknown user', 'login:bob\npasscode:secret\n'],
    ['no credentials when required', ''],
  ])('%s: ERROR "authentication failed" and a close', async (_name, headers) => {
    const { wire } = openWire({ auth });
    wire.send(`CONNECT\naccept-version:1.2\n${headers}\n\0`);
    const error = await wire.frame(0);
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('message')).toBe('authentication failed');
    await wire.until(() => wire.destroyed, 2_000, 'close');
  });
});

describe('STOMP 1.2 §Heart-beating', () => {
  test('CONNECTED announces the server heart-beat; 0,0 from the client means none', async () => {
    const { wire } = openWire({ config: { heartBeatMs: [20, 20] } });
    wire.send('CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0');
    expect((await wire.frame(0)).headers.get('heart-beat')).toBe('20,20');
    // neither side heart-beats: the connection stays open although the client is silent
    await new Promise((r) => setTimeout(r, 150));
    expect(wire.heartbeats).toBe(0);
    expect(wire.destroyed).toBe(false);
    wire.destroy();
  });

  test('STOMP 1.2 §Heart-beating: the server sends EOLs at max(sx, cy) when idle', async () => {
    const { wire } = openWire({ config: { heartBeatMs: [20, 0] } });
    wire.send('CONNECT\naccept-version:1.2\nheart-beat:0,30\n\n\0');
    await wire.frame(0);
    const start = Date.now();
    await wire.until(() => wire.heartbeats >= 3, 2_000, 'three heart-beats');
    // three beats at (at most) a 30 ms interval
    expect(Date.now() - start).toBeLessThan(1_000);
    wire.destroy();
  });

  test('STOMP 1.2 §Heart-beating: a silent client is dropped', async () => {
    const { wire } = openWire({ config: { heartBeatMs: [0, 30] } });
    wire.send('CONNECT\naccept-version:1.2\nheart-beat:40,0\n\n\0');
    await wire.frame(0);
    const error = await wire.frame(1, 2_000);
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('message')).toBe('heart-beat timeout');
    await wire.until(() => wire.destroyed, 2_000, 'close');
  });

  test('STOMP 1.2 §Heart-beating: a client sending EOLs stays connected', async () => {
    const { wire } = openWire({ config: { heartBeatMs: [0, 30] } });
    wire.send('CONNECT\naccept-version:1.2\nheart-beat:40,0\n\n\0');
    await wire.frame(0);
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 30));
      wire.send(i % 2 === 0 ? '\n' : '\r\n');
    }
    expect(wire.destroyed).toBe(false);
    expect(wire.frames).toHaveLength(1);
    wire.destroy();
  });

  test('STOMP 1.0 has no heart-beating', async () => {
    const { wire } = openWire({ config: { heartBeatMs: [10, 10] } });
    wire.send('CONNECT\nheart-beat:10,10\n\n\0');
    await wire.frame(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(wire.heartbeats).toBe(0);
    expect(wire.destroyed).toBe(false);
    wire.destroy();
  });
});

describe('STOMP 1.2 §ERROR and limits', () => {
  test.each([
    ['frame size', { maxFrameBytes: 200 }, `SEND\ndestination:/queue/a\n\n${'x'.repeat(300)}\0`, 'frame too large'],
    ['header count', { maxHeaders: 3 }, 'SEND\na:1\nb:2\nc:3\nd:4\n\n\0', 'too many headers'],
    ['header length', { maxHeaderBytes: 32 }, `SEND\nlong:${'v'.repeat(64)}\n\n\0`, 'header line too long'],
  ])('STOMP 1.2 §Size Limits: %s → ERROR with message and body, then close', async (_name, config, frame, message) => {
    const { wire } = openWire({ config });
    wire.send(CONNECT_12);
    await wire.frame(0);
    wire.send(frame);
    const error = await wire.frame(1);
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('message')).toBe(message);
    expect(error.headers.get('content-type')).toBe('text/plain');
    expect(error.body.toString()).toMatch(/limit/);
    await wire.until(() => wire.destroyed, 2_000, 'close');
  });

  test('STOMP 1.2 §ERROR: the ERROR names the offending receipt', async () => {
    const { wire } = openWire();
    wire.send(CONNECT_12);
    await wire.frame(0);
    wire.sendFrame(makeFrame('SEND', { receipt: 'send-77' }, 'no destination'));
    const error = await wire.frame(1);
    expect(error.headers.get('message')).toBe('missing destination header');
    expect(error.headers.get('receipt-id')).toBe('send-77');
    expect(error.body.toString()).toContain('SEND');
  });

  test('an unknown command after CONNECT is an error', async () => {
    const { wire } = openWire();
    wire.send(CONNECT_12 + 'PUBLISH\n\n\0');
    const error = await wire.frame(1);
    expect(error.headers.get('message')).toBe('unknown command "PUBLISH"');
  });

  test('a malformed frame after valid ones: the valid ones are handled first', async () => {
    const { wire } = openWire();
    wire.send(CONNECT_12 + 'BEGIN\ntransaction:t1\nreceipt:1\n\n\0' + 'ABORT\nbroken header\n\n\0');
    expect((await wire.frame(1)).command).toBe('RECEIPT');
    const error = await wire.frame(2);
    expect(error.headers.get('message')).toBe('header line without a colon');
  });

  test('STOMP 1.2 §Value Encoding: undefined escapes are fatal', async () => {
    const { wire } = openWire();
    wire.send(CONNECT_12 + 'BEGIN\ntransaction:a\\tb\n\n\0');
    expect((await wire.frame(1)).headers.get('message')).toBe('undefined escape sequence in header');
  });
});

describe('STOMP 1.2 §Header receipt, §DISCONNECT, transactions without messages', () => {
  test('STOMP 1.2 §DISCONNECT: RECEIPT, then the server closes', async () => {
    const { wire } = openWire();
    wire.send(CONNECT_12 + 'DISCONNECT\nreceipt:bye\n\n\0');
    const receipt = await wire.frame(1);
    expect(receipt.command).toBe('RECEIPT');
    expect(receipt.headers.get('receipt-id')).toBe('bye');
    await wire.until(() => wire.destroyed, 2_000, 'close');
  });

  test('frames after DISCONNECT are ignored', async () => {
    const { wire } = openWire();
    wire.send(CONNECT_12 + 'DISCONNECT\n\n\0BEGIN\ntransaction:t\nreceipt:late\n\n\0');
    await wire.until(() => wire.destroyed, 2_000, 'close');
    expect(wire.frames.map((f) => f.command)).toEqual(['CONNECTED']);
  });

  test('STOMP 1.2 §BEGIN/§COMMIT/§ABORT: receipts, unknown and duplicate transactions', async () => {
    const { wire } = openWire();
    wire.send(CONNECT_12);
    wire.send('BEGIN\ntransaction:t1\nreceipt:b\n\n\0COMMIT\ntransaction:t1\nreceipt:c\n\n\0');
    wire.send('BEGIN\ntransaction:t2\nreceipt:b2\n\n\0ABORT\ntransaction:t2\nreceipt:a2\n\n\0');
    await wire.frame(4);
    expect(wire.frames.slice(1).map((f) => f.headers.get('receipt-id'))).toEqual(['b', 'c', 'b2', 'a2']);
    wire.send('BEGIN\ntransaction:t3\n\n\0BEGIN\ntransaction:t3\nreceipt:dup\n\n\0');
    const error = await wire.frame(5);
    expect(error.command).toBe('ERROR');
    expect(error.headers.get('receipt-id')).toBe('dup');
    expect(error.headers.get('message')).toBe('transaction "t3" is already open');
  });

  test('STOMP 1.2 §COMMIT: committing an unknown transaction is an error', async () => {
    const { wire } = openWire();
    wire.send(CONNECT_12 + 'COMMIT\ntransaction:nope\nreceipt:x\n\n\0');
    const error = await wire.frame(1);
    expect(error.headers.get('message')).toBe('no open transaction "nope"');
    expect(error.headers.get('receipt-id')).toBe('x');
  });

  test('STOMP 1.0 frames come out unescaped', async () => {
    const { wire } = openWire();
    wire.send('CONNECT\n\n\0COMMIT\ntransaction:a:b\nreceipt:r:1\n\n\0');
    const error = await wire.frame(1);
    // 1.0 decoding on our side: the value is literal
    expect(error.headers.get('receipt-id')).toBe('r:1');
  });
});
