/**
 * KernelError ↔ RocketMQ response codes. The broker server answers a kernel failure
 * with the code a RocketMQ client acts on, the message as remark, and the exact kernel
 * code in the ext field `kernelCode` (RocketMQ clients ignore it; ours rebuild the
 * KernelError from it).
 */
import { KernelError, KernelErrorCode, isKernelError } from '../../kernel/errors.js';
import type { HeaderValue, RemotingCommand } from '../remoting/command.js';
import { ResponseCode } from '../remoting/request-codes.js';

export const KERNEL_CODE_FIELD = 'kernelCode';

const TO_RESPONSE: Record<KernelErrorCode, number> = {
  [KernelErrorCode.InvalidTopic]: ResponseCode.INVALID_PARAMETER,
  [KernelErrorCode.TopicNotFound]: ResponseCode.TOPIC_NOT_EXIST,
  [KernelErrorCode.InvalidMessage]: ResponseCode.MESSAGE_ILLEGAL,
  [KernelErrorCode.MessageTooLarge]: ResponseCode.MESSAGE_ILLEGAL,
  [KernelErrorCode.InvalidProperty]: ResponseCode.MESSAGE_ILLEGAL,
  [KernelErrorCode.InvalidQueue]: ResponseCode.INVALID_PARAMETER,
  [KernelErrorCode.InvalidFilter]: ResponseCode.SUBSCRIPTION_PARSE_FAILED,
  [KernelErrorCode.InvalidArgument]: ResponseCode.INVALID_PARAMETER,
  [KernelErrorCode.GroupNotFound]: ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
  [KernelErrorCode.InvalidReceiptHandle]: ResponseCode.INVALID_PARAMETER,
  [KernelErrorCode.TransactionNotFound]: ResponseCode.SYSTEM_ERROR,
  [KernelErrorCode.StoreWriteFailed]: ResponseCode.SERVICE_NOT_AVAILABLE,
  [KernelErrorCode.StoreFull]: ResponseCode.SERVICE_NOT_AVAILABLE,
  [KernelErrorCode.StoreClosed]: ResponseCode.SERVICE_NOT_AVAILABLE,
  [KernelErrorCode.StoreCorrupt]: ResponseCode.SYSTEM_ERROR,
  [KernelErrorCode.ServiceUnavailable]: ResponseCode.SERVICE_NOT_AVAILABLE,
  [KernelErrorCode.Forbidden]: ResponseCode.NO_PERMISSION,
  [KernelErrorCode.Timeout]: ResponseCode.FLUSH_DISK_TIMEOUT,
};

/** the response for a thrown KernelError; undefined for anything else (a bug: SYSTEM_ERROR) */
export function kernelErrorResponse(err: unknown): { code: number; remark: string; header: Record<string, HeaderValue> } | undefined {
  if (!isKernelError(err)) return undefined;
  return { code: TO_RESPONSE[err.code] ?? ResponseCode.SYSTEM_ERROR, remark: err.message, header: { [KERNEL_CODE_FIELD]: err.code } };
}

const FROM_RESPONSE: Partial<Record<number, KernelErrorCode>> = {
  [ResponseCode.TOPIC_NOT_EXIST]: KernelErrorCode.TopicNotFound,
  [ResponseCode.MESSAGE_ILLEGAL]: KernelErrorCode.InvalidMessage,
  [ResponseCode.INVALID_PARAMETER]: KernelErrorCode.InvalidArgument,
  [ResponseCode.SUBSCRIPTION_PARSE_FAILED]: KernelErrorCode.InvalidFilter,
  [ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST]: KernelErrorCode.GroupNotFound,
  [ResponseCode.SERVICE_NOT_AVAILABLE]: KernelErrorCode.ServiceUnavailable,
  [ResponseCode.SYSTEM_BUSY]: KernelErrorCode.ServiceUnavailable,
  [ResponseCode.NO_PERMISSION]: KernelErrorCode.Forbidden,
  [ResponseCode.FLUSH_DISK_TIMEOUT]: KernelErrorCode.Timeout,
  [ResponseCode.FLUSH_SLAVE_TIMEOUT]: KernelErrorCode.Timeout,
  [ResponseCode.SLAVE_NOT_AVAILABLE]: KernelErrorCode.ServiceUnavailable,
};

/** a failed response as the KernelError a caller of BrokerApi expects */
export function kernelErrorOf(response: RemotingCommand, what: string): KernelError {
  const exact = response.extFields[KERNEL_CODE_FIELD];
  const known = Object.values(KernelErrorCode) as string[];
  const code = exact && known.includes(exact) ? exact as KernelErrorCode : FROM_RESPONSE[response.code] ?? KernelErrorCode.ServiceUnavailable;
  return new KernelError(code, response.remark || `${what} failed with response code ${response.code}`);
}
