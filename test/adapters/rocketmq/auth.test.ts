/**
 * RocketMQ's access-key signature (`authorization: MQv2-HMAC-SHA1 ...`) mapped onto our
 * users: access key = username, secret = one of the user's tokens; the user's ACL then
 * applies as over every other protocol. Also the header parser and signer alone.
 */
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { createUserAuthenticator, hashPassword } from '../../../src/adapters/common/user-auth.js';
import { parseAuthorization, sign } from '../../../src/adapters/rocketmq/auth.js';
import { quietLogger, rawClient, shutdownAll, startClient, startRocketMq, type RocketMqHarness } from './helpers.js';

const ALICE_TOKEN = 'alice-token-0123456789';
const BOB_TOKEN = 'bob-token-0123456789ab';

describe('RocketMQ authentication and ACLs', () => {
  let h: RocketMqHarness;
  beforeAll(async () => {
    const weak = { N: 1024, r: 8, p: 1 };
    const auth = createUserAuthenticator({
      allowAnonymous: false,
      users: [
        { username: 'alice', passwordHash: hashPassword('pw', weak), tokens: [ALICE_TOKEN], acl: [{ pattern: 'orders', actions: ['publish', 'subscribe'] }, { pattern: 'audit', actions: ['subscribe'] }] },
        { username: 'bob', passwordHash: hashPassword('pw', weak), tokens: [BOB_TOKEN] },
      ],
    });
    h = await startRocketMq({
      auth,
      config: { credentials: [{ accessKey: 'alice', secretKeys: [ALICE_TOKEN] }, { accessKey: 'bob', secretKeys: [BOB_TOKEN] }] },
    });
  });
  afterAll(() => h.close());

  const signed = (accessKey: string, secret: string, dateTime = '20260101T000000Z'): Record<string, string> => ({
    'x-mq-date-time': dateTime,
    authorization: `MQv2-HMAC-SHA1 Credential=${accessKey}, SignedHeaders=x-mq-date-time, Signature=${sign(secret, dateTime)}`,
  });

  test('a signed client works within its ACL and is FORBIDDEN (40300) outside it', async () => {
    const producer = await startClient(new Producer({
      endpoints: h.endpoints, namespace: '', logger: quietLogger, topics: ['orders'], sessionCredentials: { accessKey: 'alice', accessSecret: ALICE_TOKEN },
    }));
    try {
      const receipt = await producer.send({ topic: 'orders', body: Buffer.from('by alice') });
      expect((await h.kernel.client.admin.viewMessage(receipt.messageId))?.body.toString()).toBe('by alice');
      // subscribe-only topic: the route is served, the send is refused
      await expect(producer.send({ topic: 'audit', body: Buffer.from('no') })).rejects.toMatchObject({ code: 40300 });
      await expect(producer.send({ topic: 'payroll', body: Buffer.from('no') })).rejects.toMatchObject({ code: 40300 });
    } finally {
      await shutdownAll([producer]);
    }
    const consumer = await startClient(new SimpleConsumer({
      endpoints: h.endpoints, namespace: '', logger: quietLogger, consumerGroup: 'alice-readers', awaitDuration: 500,
      subscriptions: new Map([['audit', '*']]), sessionCredentials: { accessKey: 'alice', accessSecret: ALICE_TOKEN },
    }));
    await shutdownAll([consumer]);
  });

  test('a user without an ACL (all topics) may use any topic', async () => {
    const raw = rawClient(h.endpoints, 'bob-raw');
    try {
      const res = await raw.unary('QueryRoute', { topic: { name: 'payroll' } }, signed('bob', BOB_TOKEN));
      expect(res.status.code).toBe('OK');
    } finally {
      raw.close();
    }
  });

  test('no credentials, a wrong secret, another user\'s secret, a bad header: UNAUTHORIZED', async () => {
    const raw = rawClient(h.endpoints, 'intruder');
    try {
      const cases: Array<Record<string, string> | undefined> = [
        undefined,
        signed('alice', 'not-the-token'),
        signed('alice', BOB_TOKEN),
        signed('mallory', ALICE_TOKEN),
        { 'x-mq-date-time': '20260101T000000Z', authorization: 'Basic YWxpY2U6cHc=' },
        { authorization: `MQv2-HMAC-SHA1 Credential=alice, SignedHeaders=x-mq-date-time, Signature=${sign(ALICE_TOKEN, 'x')}` },
      ];
      for (const metadata of cases) {
        const res = await raw.unary('QueryRoute', { topic: { name: 'orders' } }, metadata);
        expect(res.status).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String) });
      }
    } finally {
      raw.close();
    }
  });

  test('the real client with a wrong secret gets UnauthorizedException (40100)', async () => {
    const producer = await startClient(new Producer({
      endpoints: h.endpoints, namespace: '', logger: quietLogger, sessionCredentials: { accessKey: 'alice', accessSecret: 'wrong-secret' },
    }));
    try {
      await expect(producer.send({ topic: 'orders', body: Buffer.from('x') })).rejects.toMatchObject({ code: 40100 });
    } finally {
      await shutdownAll([producer]);
    }
  });
});

describe('authorization header', () => {
  test('parses the Credential, SignedHeaders and Signature fields', () => {
    expect(parseAuthorization('MQv2-HMAC-SHA1 Credential=ak, SignedHeaders=x-mq-date-time, Signature=ABC123')).toEqual({
      algorithm: 'MQv2-HMAC-SHA1', accessKey: 'ak', signedHeaders: ['x-mq-date-time'], signature: 'ABC123',
    });
    expect(parseAuthorization('MQv2-HMAC-SHA1 Credential=ak/20230913/x, Signature=00')?.accessKey).toBe('ak');
    expect(parseAuthorization('garbage')).toBeUndefined();
    expect(parseAuthorization('MQv2-HMAC-SHA1 Credential=ak')).toBeUndefined();
  });

  test('signs as the RocketMQ clients do: upper-case hex HMAC-SHA1 of the date-time', () => {
    // printf %s 20230913T063059Z | openssl dgst -sha1 -hmac secret
    expect(sign('secret', '20230913T063059Z')).toBe('2AB140BBF1737877EDB6DDF3677CE01A510AAF21');
  });
});
