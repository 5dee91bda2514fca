/**
 * The high-water mark in one process, with the in-sync replicas' acknowledgement set by
 * the test: PULL_MESSAGE hands out records only below it (a long poll parked at it is woken
 * when it moves), KERNEL_POP answers only once it passed what was popped, and a master
 * closing fails the pops still waiting with a retriable code.
 */
import type { PopMeta } from '../../../src/cluster/broker-server/kernel-pop-processor.js';
import { decodeEnvelope, decodeStoredRecords, jsonBody } from '../../../src/cluster/protocol/kernel-bodies.js';
import type { RemotingCommand } from '../../../src/cluster/remoting/command.js';
import { KernelRequestCode, RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { HighWaterMark } from '../../../src/cluster/replication/high-water-mark.js';
import { ConsumeFrom } from '../../../src/kernel/client/broker-api.js';
import { waitFor } from '../../helpers/kernel.js';
import { decodeRecords, startBrokerFixture, type BrokerFixture } from '../helpers/broker-fixture.js';

const TOPIC = 'hwm';

describe('high-water mark', () => {
  let f: BrokerFixture;
  let hwm: HighWaterMark;
  let confirmed = 0;
  const readConfirmedCalls: number[] = [];

  beforeEach(async () => {
    confirmed = 0;
    readConfirmedCalls.length = 0;
    f = await startBrokerFixture({
      server: {
        visibleEnd: (topic, queueId) => hwm.visibleEnd(topic, queueId),
        readConfirmed: (end) => {
          readConfirmedCalls.push(end);
          return hwm.reached(end);
        },
      },
    });
    hwm = new HighWaterMark({ store: f.broker.store, confirmedEnd: () => confirmed, wake: (topic, queueId) => f.broker.hold.notify(topic, queueId) });
    await f.broker.topics.create({ topic: TOPIC, queueCount: 1 });
  });

  afterEach(async () => {
    hwm.close();
    await f.close();
  });

  const put = async (body: string): Promise<number> => {
    const r = await f.broker.store.put({ topic: TOPIC, body: Buffer.from(body) }, { queueId: 0 });
    return r.commitLogOffset + r.storeSize;
  };
  const pull = (queueOffset: number, suspendMs = 0): Promise<RemotingCommand> => f.invoke(RequestCode.PULL_MESSAGE, {
    consumerGroup: 'reader', topic: TOPIC, queueId: 0, queueOffset, maxMsgNums: 32, sysFlag: suspendMs > 0 ? 0x6 : 0x4, commitOffset: 0,
    suspendTimeoutMillis: suspendMs, subscription: '*', subVersion: 0,
  }, undefined, suspendMs + 5_000);
  const bodies = (r: RemotingCommand): string[] => decodeRecords(r.body).map((rec) => rec.body.toString());
  const pop = (): Promise<RemotingCommand> => f.invoke(KernelRequestCode.KERNEL_POP, undefined,
    jsonBody({ group: 'popper', topic: TOPIC, maxMessages: 32, invisibleMs: 60_000, waitMs: 0, consumeFrom: ConsumeFrom.First }));

  test('a pull hands out only records below the mark; a long poll is woken when it moves', async () => {
    await put('m0');
    const end1 = await put('m1');
    const end2 = await put('m2');
    const none = await pull(0);
    expect(none.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(Number(none.extFields.maxOffset)).toBe(0);
    expect(Number(none.extFields.nextBeginOffset)).toBe(0);

    confirmed = end1;
    hwm.advance();
    const two = await pull(0);
    expect(two.code).toBe(ResponseCode.SUCCESS);
    expect(bodies(two)).toEqual(['m0', 'm1']);
    expect(Number(two.extFields.nextBeginOffset)).toBe(2);
    expect((await pull(2)).code).toBe(ResponseCode.PULL_NOT_FOUND);

    const parked = pull(2, 10_000);
    await waitFor(() => f.broker.hold.parkedOn(TOPIC, 0) > 0, 5_000, 'the long poll parked');
    confirmed = end2;
    hwm.advance();
    const woken = await parked;
    expect(woken.code).toBe(ResponseCode.SUCCESS);
    expect(bodies(woken)).toEqual(['m2']);
    expect(hwm.visibleEnd(TOPIC, 0)).toBeUndefined();
  });

  test('a pop answers only once the mark passed what it took', async () => {
    const end0 = await put('m0');
    confirmed = end0;
    hwm.advance();
    const end1 = await put('m1');
    let answered = false;
    const popping = pop().finally(() => (answered = true));
    await waitFor(() => readConfirmedCalls.length > 0, 5_000, 'the pop waiting for the mark');
    expect(readConfirmedCalls).toEqual([end1]);
    expect(answered).toBe(false);
    confirmed = end1;
    hwm.advance();
    const r = await popping;
    expect(r.code).toBe(ResponseCode.SUCCESS);
    const { meta, records } = decodeEnvelope<PopMeta>(r.body);
    expect(decodeStoredRecords(records).map((m) => m.body.toString())).toEqual(['m0', 'm1']);
    expect(meta.messages).toHaveLength(2);
  });

  test('a master closing fails the pops still waiting for the mark with a retriable code', async () => {
    await put('m0');
    const popping = pop();
    await waitFor(() => readConfirmedCalls.length > 0, 5_000, 'the pop waiting for the mark');
    hwm.close();
    expect((await popping).code).toBe(ResponseCode.SERVICE_NOT_AVAILABLE);
  });
});
