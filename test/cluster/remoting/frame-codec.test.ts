import { LanguageCode, SerializeType, createRequest, createResponse, type RemotingCommand } from '../../../src/cluster/remoting/command.js';
import { RemotingError, RemotingErrorCode } from '../../../src/cluster/remoting/errors.js';
import { FrameDecoder, decodeFrame, encodeFrame } from '../../../src/cluster/remoting/frame-codec.js';
import { RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';

/** a frame assembled by hand, the way RocketMQ's RemotingCommand.encode lays it out */
function javaFrame(serializeType: number, header: Buffer, body?: Buffer): Buffer {
  const b = body ?? Buffer.alloc(0);
  const out = Buffer.alloc(8 + header.length + b.length);
  out.writeInt32BE(4 + header.length + b.length, 0);
  out.writeInt32BE((serializeType << 24) | header.length, 4);
  header.copy(out, 8);
  b.copy(out, 8 + header.length);
  return out;
}

/** RocketMQSerializable.rocketMQProtocolEncode, written out field by field */
function binaryHeader(code: number, language: number, version: number, opaque: number, flag: number, remark: string | undefined, ext: Array<[string, string]>): Buffer {
  const parts: Buffer[] = [];
  const i16 = (v: number) => { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; };
  const i32 = (v: number) => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; };
  parts.push(i16(code), Buffer.from([language]), i16(version), i32(opaque), i32(flag));
  if (remark) parts.push(i32(Buffer.byteLength(remark)), Buffer.from(remark));
  else parts.push(i32(0));
  const map = Buffer.concat(ext.flatMap(([k, v]) => [i16(Buffer.byteLength(k)), Buffer.from(k), i32(Buffer.byteLength(v)), Buffer.from(v)]));
  parts.push(i32(map.length), map);
  return Buffer.concat(parts);
}

describe('frame codec: RocketMQ 4 frames', () => {
  test('decodes a JSON-header frame as a Java client sends it', () => {
    const header = Buffer.from('{"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":42,"serializeTypeCurrentRPC":"JSON","version":401}');
    const cmd = decodeFrame(javaFrame(0, header));
    expect(cmd).toEqual({
      code: RequestCode.GET_ROUTEINFO_BY_TOPIC, language: 'JAVA', version: 401, opaque: 42, flag: 0,
      remark: undefined, extFields: { topic: 'TopicTest' }, body: undefined, serializeType: SerializeType.Json,
    });
  });

  test('encodes JSON headers in fastjson field order with the length fields RocketMQ expects', () => {
    const cmd = createRequest({ code: RequestCode.SEND_MESSAGE, header: { topic: 't', queueId: 3, batch: false }, body: Buffer.from('hello'), opaque: 9 });
    const frame = encodeFrame(cmd);
    const headerLength = frame.readInt32BE(4) & 0xffffff;
    expect(frame.readInt32BE(4) >>> 24).toBe(0);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(frame.subarray(8, 8 + headerLength).toString()).toBe(
      '{"code":10,"extFields":{"topic":"t","queueId":"3","batch":"false"},"flag":0,"language":"OTHER","opaque":9,"serializeTypeCurrentRPC":"JSON","version":401}',
    );
    expect(frame.subarray(8 + headerLength).toString()).toBe('hello');
  });

  test('decodes the binary ROCKETMQ header, remark and ext fields included', () => {
    const header = binaryHeader(11, LanguageCode.CPP, 317, 77, 0, 'why', [['consumerGroup', 'g'], ['queueId', '2']]);
    const cmd = decodeFrame(javaFrame(1, header, Buffer.from([1, 2, 3])));
    expect(cmd).toMatchObject({ code: 11, language: 'CPP', version: 317, opaque: 77, flag: 0, remark: 'why', serializeType: SerializeType.RocketMQ });
    expect(cmd.extFields).toEqual({ consumerGroup: 'g', queueId: '2' });
    expect(cmd.body).toEqual(Buffer.from([1, 2, 3]));
  });

  test('encodes the binary header byte for byte like RocketMQSerializable', () => {
    const request = { ...createRequest({ code: 11, header: { topic: 'ü' }, opaque: 5 }), serializeType: SerializeType.RocketMQ };
    const response = createResponse(request, { code: ResponseCode.PULL_NOT_FOUND, remark: 'none', header: { nextBeginOffset: 8 } });
    const frame = encodeFrame(response);
    expect(frame.readInt32BE(4) >>> 24).toBe(1);
    const expected = binaryHeader(19, LanguageCode.OTHER, 401, 5, 1, 'none', [['nextBeginOffset', '8']]);
    expect(frame.subarray(8)).toEqual(expected);
    expect(decodeFrame(frame)).toMatchObject({ code: 19, opaque: 5, flag: 1, remark: 'none', extFields: { nextBeginOffset: '8' } });
  });

  test('a command whose code does not fit the int16 of the binary header goes as JSON', () => {
    const cmd = { ...createRequest({ code: RequestCode.POP_MESSAGE, opaque: 1 }), serializeType: SerializeType.RocketMQ };
    const frame = encodeFrame(cmd);
    expect(frame.readInt32BE(4) >>> 24).toBe(0);
    expect(decodeFrame(frame).code).toBe(200050);
  });

  test('round-trips through the incremental decoder however the bytes are split', () => {
    const commands: RemotingCommand[] = [];
    for (let i = 0; i < 20; i++) {
      commands.push({
        ...createRequest({ code: 10 + i, header: { i, name: `n${i}` }, body: i % 3 === 0 ? undefined : Buffer.alloc(i * 97, i), opaque: i + 1 }),
        serializeType: i % 2 === 0 ? SerializeType.Json : SerializeType.RocketMQ,
      });
    }
    const stream = Buffer.concat(commands.map(encodeFrame));
    for (const splitEvery of [1, 3, 7, 64, 1000, stream.length]) {
      const decoder = new FrameDecoder();
      const out: RemotingCommand[] = [];
      for (let p = 0; p < stream.length; p += splitEvery) out.push(...decoder.push(stream.subarray(p, p + splitEvery)));
      expect(out).toEqual(commands);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  test('a frame longer than the maximum is refused and the decoder stays failed', () => {
    const decoder = new FrameDecoder(1024);
    const frame = encodeFrame(createRequest({ code: 10, body: Buffer.alloc(2048) }));
    let error: unknown;
    try {
      decoder.push(frame.subarray(0, 4));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RemotingError);
    expect((error as RemotingError).code).toBe(RemotingErrorCode.FrameTooLarge);
    expect(() => decoder.push(Buffer.alloc(1))).toThrow(RemotingError);
  });

  test('the default maximum is RocketMQ frameMaxLength, 16 MiB', () => {
    const decoder = new FrameDecoder();
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(16 * 1024 * 1024 + 1);
    expect(() => decoder.push(prefix)).toThrow(/exceeds the maximum of 16777216/);
  });

  test.each([
    ['a header length beyond the frame', javaFrame(0, Buffer.from('{}')).fill(0x7f, 5, 6)],
    ['an unknown serialize type', javaFrame(5, Buffer.from('{"code":1}'))],
    ['a JSON header that does not parse', javaFrame(0, Buffer.from('{"code":'))],
    ['a truncated binary header', javaFrame(1, Buffer.from([0, 11, 0, 1]))],
    ['a binary ext map longer than the header', javaFrame(1, Buffer.concat([binaryHeader(1, 0, 0, 0, 0, undefined, []).subarray(0, 17), Buffer.from([0, 0, 0x10, 0])]))],
    ['a frame length below 4', Buffer.from([0, 0, 0, 2, 0, 0])],
  ])('rejects %s', (_what, frame) => {
    expect(() => new FrameDecoder().push(frame)).toThrow(RemotingError);
  });
});
