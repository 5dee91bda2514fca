/**
 * Exit codes of the admin subcommands and the failures behind them. Scripts can tell a
 * server that is not there (3) from one that said no (1) and from a job done in part (4).
 *
 *   0  done
 *   1  the server refused: its HTTP status, error code and message are printed
 *   2  usage: an unknown flag, a missing or malformed argument (nothing was sent)
 *   3  unreachable: nothing answers at the server URL, or no answer within --timeout
 *   4  partly done: some items of a batch failed (re-drive, acknowledgements); each is listed
 */
export const AdminExit = {
  Ok: 0,
  Refused: 1,
  Usage: 2,
  Unreachable: 3,
  Partial: 4,
} as const;
export type AdminExit = (typeof AdminExit)[keyof typeof AdminExit];

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  the server refused (its HTTP status, error code and message are printed)
  2  usage error (nothing was sent)
  3  the server is unreachable (nothing answers at the URL, or no answer within --timeout)
  4  partly done (some items failed; each is listed)`;

/** Bad arguments found before anything is sent. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Nothing answered at the URL: refused, unknown host, reset, or no answer in time. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  constructor(readonly url: string, readonly reason: string) {
    super(`cannot reach the rocketgate server at ${url}: ${reason}`);
  }
}

/** The server answered with an error: the `{error: {code, message}}` body of the HTTP API. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
    readonly details?: unknown,
  ) {
    super(`the server refused: ${status} ${code}: ${serverMessage}`);
  }
}

/** Some items of a batch failed; the command has printed them already. */
export class PartialError extends Error {
  override readonly name = 'PartialError';
}

export function exitCodeOf(err: unknown): AdminExit | undefined {
  if (err instanceof UsageError) return AdminExit.Usage;
  if (err instanceof UnreachableError) return AdminExit.Unreachable;
  if (err instanceof RefusedError) return AdminExit.Refused;
  if (err instanceof PartialError) return AdminExit.Partial;
  return undefined;
}
