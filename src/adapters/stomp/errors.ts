/**
 * The STOMP adapter's failure catalogue (STYLE §10) and its one mapping to ERROR
 * frames. STOMP 1.2 §ERROR: "The ERROR frame SHOULD contain a message header with a
 * short description of the error, and the body MAY contain more detailed
 * information"; if the offending frame asked for a receipt, the ERROR carries its
 * `receipt-id`. After an ERROR the server closes the connection.
 */
import { isKernelError, KernelErrorCode } from '../../kernel/index.js';
import { makeFrame, type StompFrame } from './frame.js';

export const StompErrorCode = {
  // framing (decoder)
  FrameTooLarge: 'FRAME_TOO_LARGE',
  TooManyHeaders: 'TOO_MANY_HEADERS',
  HeaderTooLong: 'HEADER_TOO_LONG',
  MalformedFrame: 'MALFORMED_FRAME',
  BadEscape: 'BAD_ESCAPE',
  BadContentLength: 'BAD_CONTENT_LENGTH',
  // session
  NotConnected: 'NOT_CONNECTED',
  AlreadyConnected: 'ALREADY_CONNECTED',
  UnsupportedVersion: 'UNSUPPORTED_VERSION',
  UnknownCommand: 'UNKNOWN_COMMAND',
  MissingHeader: 'MISSING_HEADER',
  InvalidHeader: 'INVALID_HEADER',
  AuthenticationFailed: 'AUTHENTICATION_FAILED',
  Forbidden: 'FORBIDDEN',
  InvalidDestination: 'INVALID_DESTINATION',
  DuplicateSubscription: 'DUPLICATE_SUBSCRIPTION',
  UnknownSubscription: 'UNKNOWN_SUBSCRIPTION',
  UnknownMessage: 'UNKNOWN_MESSAGE',
  UnknownTransaction: 'UNKNOWN_TRANSACTION',
  DuplicateTransaction: 'DUPLICATE_TRANSACTION',
  TransactionExpired: 'TRANSACTION_EXPIRED',
  DurableSubscriptionInUse: 'DURABLE_SUBSCRIPTION_IN_USE',
  InvalidSelector: 'INVALID_SELECTOR',
  HeartBeatTimeout: 'HEART_BEAT_TIMEOUT',
  ConnectTimeout: 'CONNECT_TIMEOUT',
  TooManyConnections: 'TOO_MANY_CONNECTIONS',
  MessageTooLarge: 'MESSAGE_TOO_LARGE',
  Unavailable: 'UNAVAILABLE',
  Internal: 'INTERNAL_ERROR',
} as const;
export type StompErrorCode = (typeof StompErrorCode)[keyof typeof StompErrorCode];

/** An expected protocol failure: becomes an ERROR frame and a close, never a crash. */
export class StompError extends Error {
  readonly code: StompErrorCode;
  /** longer explanation for the ERROR body */
  readonly details: string | undefined;
  /** further ERROR headers (e.g. `version` on a failed negotiation) */
  readonly headers: Record<string, string> | undefined;
  /** the frame that caused it, when it is not the one being handled */
  offending: StompFrame | undefined;

  constructor(code: StompErrorCode, message: string, details?: string, options?: { cause?: unknown; headers?: Record<string, string> }) {
    super(message, options);
    this.name = 'StompError';
    this.code = code;
    this.details = details;
    this.headers = options?.headers;
  }

  /** names the frame that caused the error (its receipt goes into the ERROR) */
  about(frame: StompFrame): this {
    this.offending = frame;
    return this;
  }
}

const KERNEL_TO_STOMP: Partial<Record<KernelErrorCode, StompErrorCode>> = {
  [KernelErrorCode.InvalidTopic]: StompErrorCode.InvalidDestination,
  [KernelErrorCode.TopicNotFound]: StompErrorCode.InvalidDestination,
  [KernelErrorCode.InvalidMessage]: StompErrorCode.InvalidHeader,
  [KernelErrorCode.InvalidProperty]: StompErrorCode.InvalidHeader,
  [KernelErrorCode.MessageTooLarge]: StompErrorCode.MessageTooLarge,
  [KernelErrorCode.InvalidFilter]: StompErrorCode.InvalidSelector,
  [KernelErrorCode.InvalidArgument]: StompErrorCode.InvalidHeader,
  [KernelErrorCode.Forbidden]: StompErrorCode.Forbidden,
  [KernelErrorCode.StoreFull]: StompErrorCode.Unavailable,
  [KernelErrorCode.StoreClosed]: StompErrorCode.Unavailable,
  [KernelErrorCode.ServiceUnavailable]: StompErrorCode.Unavailable,
  [KernelErrorCode.Timeout]: StompErrorCode.Unavailable,
};

/** Any thrown value → StompError (kernel codes mapped, unknown throws become INTERNAL_ERROR). */
export function toStompError(err: unknown): StompError {
  if (err instanceof StompError) return err;
  if (isKernelError(err)) {
    const code = KERNEL_TO_STOMP[err.code] ?? StompErrorCode.Internal;
    return new StompError(code, err.message, `kernel error ${err.code}`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new StompError(StompErrorCode.Internal, 'internal error', message, { cause: err });
}

/** STOMP 1.2 §ERROR: message header, receipt-id of the offending frame, explanatory body. */
export function errorFrame(err: StompError, offending?: StompFrame): StompFrame {
  const receipt = offending?.headers.get('receipt');
  const lines = [`${err.code}: ${err.message}`];
  if (err.details) lines.push(err.details);
  if (offending) lines.push(`offending frame: ${offending.command}`);
  return makeFrame('ERROR', {
    ...err.headers,
    message: err.message,
    'receipt-id': receipt,
    'content-type': 'text/plain',
    'x-error-code': err.code,
  }, lines.join('\n') + '\n');
}
