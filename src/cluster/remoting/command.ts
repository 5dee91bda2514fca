/**
 * RemotingCommand: the unit of RocketMQ 4's remoting protocol, requests and responses
 * alike (RocketMQ's org.apache.rocketmq.remoting.protocol.RemotingCommand).
 *
 *   code       request code (request-codes.ts RequestCode) or response code (ResponseCode)
 *   language   the sender's LanguageCode name: JAVA, CPP, ..., OTHER, ..., NODE_JS
 *   version    the sender's MQVersion ordinal (e.g. 401 = V4_9_4); nameservers and brokers
 *              pick body formats by it
 *   opaque     request id; a response carries its request's opaque
 *   flag       bit 0: response (RPC_TYPE), bit 1: one-way request (RPC_ONEWAY)
 *   remark     free text, usually the reason of an error response
 *   extFields  the "custom header": every field of a request/response header class as
 *              a string (numbers in decimal, booleans as true/false)
 *   body       opaque bytes (JSON documents, stored message records, ...)
 *
 * `serializeType` is how the header travels (frame-codec.ts): JSON or RocketMQ's binary
 * ROCKETMQ form. A response goes back in its request's serialization.
 */
export const SerializeType = { Json: 0, RocketMQ: 1 } as const;
export type SerializeType = (typeof SerializeType)[keyof typeof SerializeType];

/** RocketMQ's LanguageCode (name → byte in the binary header). */
export const LanguageCode = {
  JAVA: 0, CPP: 1, DOTNET: 2, PYTHON: 3, DELPHI: 4, ERLANG: 5, RUBY: 6, OTHER: 7,
  HTTP: 8, GO: 9, PHP: 10, OMS: 11, RUST: 12, NODE_JS: 13,
} as const;
export type LanguageName = keyof typeof LanguageCode;

export function languageName(code: number): LanguageName {
  for (const [name, value] of Object.entries(LanguageCode)) if (value === code) return name as LanguageName;
  return 'OTHER';
}

export function isLanguageName(name: string): name is LanguageName {
  return Object.prototype.hasOwnProperty.call(LanguageCode, name);
}

/** flag bit 0: the command is a response */
export const RPC_RESPONSE_FLAG = 1 << 0;
/** flag bit 1: the request expects no response */
export const RPC_ONEWAY_FLAG = 1 << 1;

/**
 * MQVersion ordinal we speak as: V4_9_4 (401), from which RocketMQ nameservers answer
 * routes in standard JSON (quoted map keys).
 */
export const REMOTING_VERSION = 401;

/**
 * We announce OTHER: every RocketMQ version knows it (older brokers cannot parse NODE_JS),
 * and no broker treats OTHER specially.
 */
export const DEFAULT_LANGUAGE: LanguageName = 'OTHER';

export interface RemotingCommand {
  code: number;
  language: LanguageName;
  version: number;
  opaque: number;
  flag: number;
  remark?: string;
  extFields: Record<string, string>;
  body?: Buffer;
  serializeType: SerializeType;
}

export function isResponse(cmd: RemotingCommand): boolean {
  return (cmd.flag & RPC_RESPONSE_FLAG) !== 0;
}

export function isOneway(cmd: RemotingCommand): boolean {
  return (cmd.flag & RPC_ONEWAY_FLAG) !== 0;
}

/** A header field value as RocketMQ puts it on the wire; undefined fields are left out. */
export type HeaderValue = string | number | boolean | bigint | undefined | null;

/** Header object → extFields, as RocketMQ's makeCustomHeaderToNet (null/undefined omitted). */
export function toExtFields(header: Record<string, HeaderValue> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const [k, v] of Object.entries(header)) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}

export interface RequestInit {
  code: number;
  header?: Record<string, HeaderValue>;
  body?: Buffer;
  remark?: string;
  oneway?: boolean;
  /** set by the client that sends it */
  opaque?: number;
  language?: LanguageName;
  version?: number;
  serializeType?: SerializeType;
}

export function createRequest(init: RequestInit): RemotingCommand {
  return {
    code: init.code,
    language: init.language ?? DEFAULT_LANGUAGE,
    version: init.version ?? REMOTING_VERSION,
    opaque: init.opaque ?? 0,
    flag: init.oneway ? RPC_ONEWAY_FLAG : 0,
    remark: init.remark,
    extFields: toExtFields(init.header),
    body: init.body,
    serializeType: init.serializeType ?? SerializeType.Json,
  };
}

export interface ResponseInit {
  code: number;
  remark?: string;
  header?: Record<string, HeaderValue>;
  body?: Buffer;
}

/** The response to `request`: its opaque, its serialization, the response flag. */
export function createResponse(request: RemotingCommand, init: ResponseInit): RemotingCommand {
  return {
    code: init.code,
    language: DEFAULT_LANGUAGE,
    version: REMOTING_VERSION,
    opaque: request.opaque,
    flag: RPC_RESPONSE_FLAG,
    remark: init.remark,
    extFields: toExtFields(init.header),
    body: init.body,
    serializeType: request.serializeType,
  };
}
