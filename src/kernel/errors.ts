/**
 * Typed kernel failures. Expected outcomes (message not found, offset too small, ...)
 * are result values (see store/results.ts); a KernelError is thrown when an operation
 * cannot be carried out as asked. Adapters map `code` to their protocol's answer.
 */
export const KernelErrorCode = {
  InvalidTopic: 'INVALID_TOPIC',
  TopicNotFound: 'TOPIC_NOT_FOUND',
  InvalidMessage: 'INVALID_MESSAGE',
  MessageTooLarge: 'MESSAGE_TOO_LARGE',
  InvalidProperty: 'INVALID_PROPERTY',
  InvalidQueue: 'INVALID_QUEUE',
  InvalidFilter: 'INVALID_FILTER',
  InvalidArgument: 'INVALID_ARGUMENT',
  GroupNotFound: 'GROUP_NOT_FOUND',
  InvalidReceiptHandle: 'INVALID_RECEIPT_HANDLE',
  TransactionNotFound: 'TRANSACTION_NOT_FOUND',
  StoreWriteFailed: 'STORE_WRITE_FAILED',
  StoreFull: 'STORE_FULL',
  StoreClosed: 'STORE_CLOSED',
  StoreCorrupt: 'STORE_CORRUPT',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  Forbidden: 'FORBIDDEN',
  Timeout: 'TIMEOUT',
} as const;
export type KernelErrorCode = (typeof KernelErrorCode)[keyof typeof KernelErrorCode];

export class KernelError extends Error {
  readonly code: KernelErrorCode;

  constructor(code: KernelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KernelError';
    this.code = code;
  }
}

export function isKernelError(err: unknown, code?: KernelErrorCode): err is KernelError {
  return err instanceof KernelError && (code === undefined || err.code === code);
}
