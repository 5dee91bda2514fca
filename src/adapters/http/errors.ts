/**
 * The HTTP adapter's error catalogue. Every failure is answered as
 *   { "error": { "code": "<STABLE_CODE>", "message": "<human text>", "details": <any> } }
 * with the status below. Kernel failures keep the kernel's code (KernelErrorCode), so a
 * client sees the same name for the same fault over every protocol; HTTP-only faults
 * (bad JSON, schema violations, auth, size, idempotency ...) have codes of their own.
 */
import { isKernelError, KernelErrorCode } from '../../kernel/index.js';

export const HttpErrorCode = {
  BadRequest: 'BAD_REQUEST',
  InvalidJson: 'INVALID_JSON',
  ValidationFailed: 'VALIDATION_FAILED',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  Unauthorized: 'UNAUTHORIZED',
  NotFound: 'NOT_FOUND',
  MessageNotFound: 'MESSAGE_NOT_FOUND',
  WebhookNotFound: 'WEBHOOK_NOT_FOUND',
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  InvalidSignature: 'INVALID_SIGNATURE',
  InvalidLastEventId: 'INVALID_LAST_EVENT_ID',
  NotReady: 'NOT_READY',
  Internal: 'INTERNAL',
} as const;
export type HttpErrorCode = (typeof HttpErrorCode)[keyof typeof HttpErrorCode];

export type ErrorCode = HttpErrorCode | KernelErrorCode;

/** Status of every code; the OpenAPI document lists the same table. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  [HttpErrorCode.BadRequest]: 400,
  [HttpErrorCode.InvalidJson]: 400,
  [HttpErrorCode.ValidationFailed]: 400,
  [HttpErrorCode.PayloadTooLarge]: 413,
  [HttpErrorCode.UnsupportedMediaType]: 415,
  [HttpErrorCode.Unauthorized]: 401,
  [HttpErrorCode.NotFound]: 404,
  [HttpErrorCode.MessageNotFound]: 404,
  [HttpErrorCode.WebhookNotFound]: 404,
  [HttpErrorCode.IdempotencyKeyReused]: 422,
  [HttpErrorCode.InvalidSignature]: 401,
  [HttpErrorCode.InvalidLastEventId]: 400,
  [HttpErrorCode.NotReady]: 503,
  [HttpErrorCode.Internal]: 500,
  [KernelErrorCode.InvalidTopic]: 400,
  [KernelErrorCode.TopicNotFound]: 404,
  [KernelErrorCode.InvalidMessage]: 400,
  [KernelErrorCode.MessageTooLarge]: 413,
  [KernelErrorCode.InvalidProperty]: 400,
  [KernelErrorCode.InvalidQueue]: 400,
  [KernelErrorCode.InvalidFilter]: 400,
  [KernelErrorCode.InvalidArgument]: 400,
  [KernelErrorCode.GroupNotFound]: 404,
  [KernelErrorCode.InvalidReceiptHandle]: 400,
  [KernelErrorCode.TransactionNotFound]: 404,
  [KernelErrorCode.StoreWriteFailed]: 500,
  [KernelErrorCode.StoreFull]: 507,
  [KernelErrorCode.StoreClosed]: 503,
  [KernelErrorCode.StoreCorrupt]: 500,
  [KernelErrorCode.ServiceUnavailable]: 503,
  [KernelErrorCode.Forbidden]: 403,
  [KernelErrorCode.Timeout]: 504,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export class HttpError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  /** extra response headers, e.g. WWW-Authenticate */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, details?: unknown, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = details;
    this.headers = headers;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

/** One failing place in a request, as reported in `details` of VALIDATION_FAILED. */
export interface ValidationIssue {
  /** JSON pointer into the request part named by `in` */
  path: string;
  in: 'body' | 'query' | 'path' | 'header';
  message: string;
  keyword?: string;
}

export function validationError(issues: ValidationIssue[]): HttpError {
  const first = issues[0];
  const where = first ? `${first.in}${first.path}` : 'request';
  return new HttpError(HttpErrorCode.ValidationFailed, first ? `${where} ${first.message}` : 'invalid request', issues);
}

/** express/body-parser errors carry `type` and `status`; everything else unknown is a bug. */
interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  limit?: number;
}

/** Any thrown value → the HttpError that answers it. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isKernelError(err)) return new HttpError(err.code, err.message);
  const bp = err as BodyParserError | undefined;
  if (bp && typeof bp === 'object') {
    if (bp.type === 'entity.too.large') {
      return new HttpError(HttpErrorCode.PayloadTooLarge, `request body exceeds ${bp.limit ?? 'the'} bytes`, { limit: bp.limit });
    }
    if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported') {
      return new HttpError(HttpErrorCode.UnsupportedMediaType, (err as Error).message);
    }
    if (bp.type === 'request.aborted' || bp.type === 'request.size.invalid') {
      return new HttpError(HttpErrorCode.BadRequest, (err as Error).message);
    }
  }
  return new HttpError(HttpErrorCode.Internal, 'internal error');
}
