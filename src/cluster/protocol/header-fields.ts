/**
 * Reading a request's custom header (extFields) the way RocketMQ's
 * decodeCommandCustomHeader does: a missing @CFNotNull field is an error
 * ("the custom field <name> is null"), numbers are decimal strings, booleans
 * "true"/"false". A bad field answers the request with an error, never throws further.
 */
import { ResponseError } from '../remoting/request-dispatcher.js';
import { ResponseCode } from '../remoting/request-codes.js';

export class HeaderFields {
  constructor(private readonly ext: Record<string, string>) {}

  has(name: string): boolean {
    return this.ext[name] !== undefined;
  }

  optStr(name: string): string | undefined {
    return this.ext[name];
  }

  str(name: string): string {
    const v = this.ext[name];
    if (v === undefined) throw missing(name);
    return v;
  }

  optInt(name: string): number | undefined {
    const v = this.ext[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new ResponseError(ResponseCode.SYSTEM_ERROR, `the custom field <${name}> is not an integer: ${JSON.stringify(v)}`);
    return n;
  }

  int(name: string): number {
    const n = this.optInt(name);
    if (n === undefined) throw missing(name);
    return n;
  }

  optBool(name: string): boolean | undefined {
    const v = this.ext[name];
    if (v === undefined || v === '') return undefined;
    // Java's Boolean.parseBoolean: "true" in any case is true, everything else false
    return v.toLowerCase() === 'true';
  }

  bool(name: string, fallback: boolean): boolean {
    return this.optBool(name) ?? fallback;
  }
}

function missing(name: string): ResponseError {
  return new ResponseError(ResponseCode.SYSTEM_ERROR, `the custom field <${name}> is null`);
}
