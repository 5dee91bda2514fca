/**
 * Failures of the remoting layer itself (the peer's answers are response codes, not
 * these): framing errors close the connection that caused them; the rest reject the
 * call that met them.
 */
export const RemotingErrorCode = {
  /** a frame or header that cannot be decoded: the connection is closed */
  BadFrame: 'BAD_FRAME',
  /** a frame longer than the configured maximum: the connection is closed */
  FrameTooLarge: 'FRAME_TOO_LARGE',
  ConnectFailed: 'CONNECT_FAILED',
  ConnectionClosed: 'CONNECTION_CLOSED',
  Timeout: 'TIMEOUT',
  /** the client or server was closed */
  Closed: 'CLOSED',
} as const;
export type RemotingErrorCode = (typeof RemotingErrorCode)[keyof typeof RemotingErrorCode];

export class RemotingError extends Error {
  readonly code: RemotingErrorCode;

  constructor(code: RemotingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RemotingError';
    this.code = code;
  }
}

export function isRemotingError(err: unknown, code?: RemotingErrorCode): err is RemotingError {
  return err instanceof RemotingError && (code === undefined || err.code === code);
}
