/**
 * Runs incoming requests through one processor per request code (RocketMQ's
 * processorTable), for the server and for the client (which also receives requests:
 * NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE).
 *
 * - an unknown code gets REQUEST_CODE_NOT_SUPPORTED with a remark, as RocketMQ answers;
 * - a processor that throws gets SYSTEM_ERROR with the error's message (a processor
 *   may throw a ResponseError to choose the code), the connection stays up;
 * - more than `maxInFlight` requests of one connection at a time get SYSTEM_BUSY;
 * - one-way requests get no response whatever happens.
 */
import { createResponse, isOneway, type HeaderValue, type RemotingCommand } from './command.js';
import { ResponseCode, requestCodeName } from './request-codes.js';
import type { Connection } from './transport.js';

export interface RequestContext {
  connection: Connection;
}

/** A processor answers with a response, or undefined for a one-way request. */
export type Processor = (request: RemotingCommand, context: RequestContext) => Promise<RemotingCommand | undefined> | RemotingCommand | undefined;

/** Thrown by processors to answer with a specific response code and remark. */
export class ResponseError extends Error {
  constructor(readonly responseCode: number, message: string, readonly header?: Record<string, HeaderValue>) {
    super(message);
    this.name = 'ResponseError';
  }
}

export interface DispatcherOptions {
  /** concurrent requests per connection before SYSTEM_BUSY, default 4096 */
  maxInFlight?: number;
  /** told of processor failures that are not ResponseErrors (bugs) */
  onError?: (err: unknown, request: RemotingCommand) => void;
  /** maps an error to a response code and remark (e.g. kernel errors); default SYSTEM_ERROR */
  errorResponse?: (err: unknown) => { code: number; remark: string; header?: Record<string, HeaderValue> } | undefined;
}

export class RequestDispatcher {
  private readonly processors = new Map<number, Processor>();
  private readonly inFlight = new Map<string, number>();
  private readonly maxInFlight: number;

  constructor(private readonly options: DispatcherOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? 4096;
  }

  register(code: number, processor: Processor): void {
    this.processors.set(code, processor);
  }

  has(code: number): boolean {
    return this.processors.has(code);
  }

  /** handles one request that arrived on `connection` */
  dispatch(connection: Connection, request: RemotingCommand): void {
    const oneway = isOneway(request);
    const answer = (response: RemotingCommand | undefined): void => {
      if (oneway || !response) return;
      try {
        connection.send(response);
      } catch (err) {
        // a response that cannot be encoded (a header beyond the 24-bit length ...) becomes an error response
        try {
          connection.send(createResponse(request, { code: ResponseCode.SYSTEM_ERROR, remark: `the response could not be encoded: ${(err as Error).message}` }));
        } catch (second) {
          connection.close(second as Error);
        }
      }
    };
    const processor = this.processors.get(request.code);
    if (!processor) {
      answer(createResponse(request, { code: ResponseCode.REQUEST_CODE_NOT_SUPPORTED, remark: ` request type ${request.code} not supported` }));
      return;
    }
    const count = this.inFlight.get(connection.id) ?? 0;
    if (count >= this.maxInFlight) {
      answer(createResponse(request, { code: ResponseCode.SYSTEM_BUSY, remark: `too many requests in flight on this connection (${this.maxInFlight}), ${requestCodeName(request.code)} refused` }));
      return;
    }
    this.inFlight.set(connection.id, count + 1);
    void this.run(processor, request, connection)
      .then(answer)
      .finally(() => {
        const left = (this.inFlight.get(connection.id) ?? 1) - 1;
        if (left <= 0) this.inFlight.delete(connection.id);
        else this.inFlight.set(connection.id, left);
      });
  }

  private async run(processor: Processor, request: RemotingCommand, connection: Connection): Promise<RemotingCommand | undefined> {
    try {
      return await processor(request, { connection });
    } catch (err) {
      if (err instanceof ResponseError) return createResponse(request, { code: err.responseCode, remark: err.message, header: err.header });
      const mapped = this.options.errorResponse?.(err);
      if (mapped) return createResponse(request, mapped);
      this.options.onError?.(err, request);
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      return createResponse(request, { code: ResponseCode.SYSTEM_ERROR, remark: `${requestCodeName(request.code)} failed: ${reason}` });
    }
  }
}
