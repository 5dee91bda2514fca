import { parseMsgId } from '../../../src/kernel/message/msg-id.js';
import { createRequest, type RemotingCommand } from '../../../src/cluster/remoting/command.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { waitFor } from '../../helpers/kernel.js';
import { decodeRecords, pullOnce, sendV2Header, startBrokerFixture, type BrokerFixture } from '../helpers/broker-fixture.js';

const PREPARED = 0x4;
const COMMIT = 0x8;
const ROLLBACK = 0xc;

describe('broker server: transactional messages as RocketMQ producers send them', () => {
  let f: BrokerFixture;
  beforeEach(async () => {
    f = await startBrokerFixture({
      broker: { transactionTimeoutMs: 200, transactionCheckIntervalMs: 100 },
      server: { transactionCheckPollMs: 300 },
    });
  });
  afterEach(async () => {
    await f.close();
  });

  const sendHalf = (uniq: string, body: string) => f.invoke(RequestCode.SEND_MESSAGE_V2,
    sendV2Header('pay', { TRAN_MSG: 'true', PGROUP: 'tg', UNIQ_KEY: uniq, TAGS: 't' }, { a: 'tg', e: 0, f: PREPARED }), Buffer.from(body));
  const delivered = async () => {
    const info = f.broker.topics.get('pay')!;
    const out: string[] = [];
    for (let q = 0; q < info.queueCount; q++) out.push(...decodeRecords((await pullOnce(f, { topic: 'pay', queueId: q })).body).map((r) => r.body.toString()));
    return out;
  };
  const endTransaction = (sent: RemotingCommand, type: number, fromCheck = false) => f.client.invokeOneway(f.address, createRequest({
    code: RequestCode.END_TRANSACTION,
    header: {
      producerGroup: 'tg', tranStateTableOffset: sent.extFields.queueOffset, commitLogOffset: parseMsgId(sent.extFields.msgId!)!.commitLogOffset,
      commitOrRollback: type, fromTransactionCheck: fromCheck, msgId: sent.extFields.transactionId, transactionId: sent.extFields.transactionId,
    },
  }));

  test('a prepared message stays invisible until END_TRANSACTION commits it; a rollback drops it', async () => {
    const committed = await sendHalf('TX-1', 'commit me');
    expect(committed.code).toBe(ResponseCode.SUCCESS);
    expect(committed.extFields.transactionId).toBe('TX-1');
    const rolledBack = await sendHalf('TX-2', 'drop me');
    expect(await delivered()).toEqual([]);
    await endTransaction(committed, COMMIT);
    await endTransaction(rolledBack, ROLLBACK);
    await waitFor(async () => (await delivered()).length > 0, 3_000, 'commit delivered');
    expect(await delivered()).toEqual(['commit me']);
  });

  test('an unresolved transaction is checked back with the producer, whose answer resolves it', async () => {
    const checks: RemotingCommand[] = [];
    f.client.register(RequestCode.CHECK_TRANSACTION_STATE, (req) => {
      checks.push(req);
      return undefined;
    });
    const hb = await f.invoke(RequestCode.HEART_BEAT, undefined, Buffer.from(JSON.stringify({
      clientID: '10.0.0.9@7', consumerDataSet: [], producerDataSet: [{ groupName: 'tg' }, { groupName: 'CLIENT_INNER_PRODUCER' }], heartbeatFingerprint: 0, withoutSub: false,
    })));
    expect(hb.code).toBe(ResponseCode.SUCCESS);
    const sent = await sendHalf('TX-3', 'checked');
    await waitFor(() => checks.length > 0, 5_000, 'CHECK_TRANSACTION_STATE');
    const check = checks[0]!;
    expect(check.extFields).toMatchObject({ topic: 'pay', transactionId: 'TX-3', msgId: 'TX-3', commitLogOffset: String(parseMsgId(sent.extFields.msgId!)!.commitLogOffset) });
    const [record] = decodeRecords(check.body);
    expect(record!.topic).toBe('pay');
    expect(record!.body.toString()).toBe('checked');
    expect(record!.properties.get('PGROUP')).toBe('tg');
    expect(record!.properties.get('UNIQ_KEY')).toBe('TX-3');
    await endTransaction(sent, COMMIT, true);
    await waitFor(async () => (await delivered()).length > 0, 3_000, 'commit after check');
    expect(await delivered()).toEqual(['checked']);
  });

  test('END_TRANSACTION for an unknown transaction is answered with an error, not a crash', async () => {
    const r = await f.invoke(RequestCode.END_TRANSACTION, { producerGroup: 'tg', commitLogOffset: 123456, commitOrRollback: COMMIT, transactionId: 'nope' });
    expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r.extFields.kernelCode).toBe('TRANSACTION_NOT_FOUND');
  });
});
