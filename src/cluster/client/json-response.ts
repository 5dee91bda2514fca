/** Reading our own JSON answers on the client side (protocol/kernel-bodies.ts). */
import { KernelError, KernelErrorCode } from '../../kernel/errors.js';
import { parseFastJson } from '../protocol/fastjson.js';
import type { RemotingCommand } from '../remoting/command.js';

/** the body of a successful answer as JSON; a broken one is SERVICE_UNAVAILABLE (a broker we cannot read) */
export function parseJsonBody<T>(response: RemotingCommand, what: string): T {
  try {
    return parseFastJson((response.body ?? Buffer.alloc(0)).toString('utf8')) as T;
  } catch (err) {
    throw new KernelError(KernelErrorCode.ServiceUnavailable, `${what}: the broker's answer is not JSON (${(err as Error).message})`);
  }
}
