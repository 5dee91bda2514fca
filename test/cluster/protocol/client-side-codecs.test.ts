/** The client halves of the codecs (what our remote client will send) read back by the server halves. */
import { KernelError, KernelErrorCode } from '../../../src/kernel/errors.js';
import { ConsumeFrom, MessageModel, type HeartbeatRequest } from '../../../src/kernel/client/broker-api.js';
import { kernelErrorOf, kernelErrorResponse } from '../../../src/cluster/broker-server/kernel-errors.js';
import { createRequest, createResponse } from '../../../src/cluster/remoting/command.js';
import { ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { decodeHeartbeat, encodeHeartbeat } from '../../../src/cluster/protocol/consumer-bodies.js';
import { readSendHeader, sendHeaderV2, type SendMessageHeader } from '../../../src/cluster/protocol/send-header.js';
import { fromWire, toWireProperties } from '../../../src/cluster/protocol/wire-message.js';

describe('client-side codecs round-trip through the broker-side readers', () => {
  test('HeartbeatData keeps model, start position, subscriptions and our extensions', () => {
    const consumer: HeartbeatRequest = {
      clientId: 'c@1', group: 'g', messageModel: MessageModel.Broadcasting, consumeFrom: ConsumeFrom.Timestamp, consumeTimestamp: 1234,
      orderly: true, protocol: 'mqtt', subscriptions: [{ topic: 't', filter: { type: 'SQL92', expression: 'a > 1' } }],
    };
    const json = JSON.parse(JSON.stringify(encodeHeartbeat('c@1', [consumer], ['pg'])));
    expect(json.consumerDataSet[0]).toMatchObject({ consumeFromWhere: 'CONSUME_FROM_TIMESTAMP', consumeType: 'CONSUME_PASSIVELY', messageModel: 'BROADCASTING' });
    expect(decodeHeartbeat(json)).toEqual({ clientId: 'c@1', consumers: [consumer], producerGroups: ['pg'] });
  });

  test('SendMessageRequestHeaderV2 one-letter fields read back as the V1 header', () => {
    const h: SendMessageHeader = {
      producerGroup: 'pg', topic: 't', defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId: 3, sysFlag: 0, bornTimestamp: 99,
      flag: 0, properties: 'TAGS\u0001x\u0002', reconsumeTimes: 0, unitMode: false, batch: true, maxReconsumeTimes: 16, brokerName: 'b',
    };
    const ext = createRequest({ code: 310, header: sendHeaderV2(h) }).extFields;
    expect(Object.keys(ext).every((k) => k.length === 1)).toBe(true);
    expect(readSendHeader(ext, true)).toEqual(h);
  });

  test('message fields survive the properties string', () => {
    const props = toWireProperties({ topic: 't', body: Buffer.alloc(0), tag: 'a', keys: ['k1', 'k2'], uniqueId: 'U', delayLevel: 3, properties: { color: 'red' } });
    expect(fromWire({ topic: 't', body: Buffer.from('b'), properties: props })).toEqual({
      topic: 't', body: Buffer.from('b'), tag: 'a', keys: ['k1', 'k2'], uniqueId: 'U', delayLevel: 3, properties: { color: 'red' },
    });
  });

  test('a kernel error answered by the server is the same kernel error at the client', () => {
    const request = createRequest({ code: 10 });
    const mapped = kernelErrorResponse(new KernelError(KernelErrorCode.InvalidQueue, 'queue 9 does not exist'))!;
    expect(mapped.code).toBe(ResponseCode.INVALID_PARAMETER);
    const err = kernelErrorOf(createResponse(request, mapped), 'send');
    expect(err).toMatchObject({ code: KernelErrorCode.InvalidQueue, message: 'queue 9 does not exist' });
    // a RocketMQ broker's answer has no kernel code: the response code decides
    expect(kernelErrorOf(createResponse(request, { code: ResponseCode.TOPIC_NOT_EXIST, remark: 'no route' }), 'send').code).toBe(KernelErrorCode.TopicNotFound);
    expect(kernelErrorResponse(new Error('bug'))).toBeUndefined();
  });
});
