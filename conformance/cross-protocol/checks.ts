/**
 * Assertions of the cross-protocol cells. A failed check throws a ContractViolation
 * that names the field, what the publisher sent and what the subscriber got, which is
 * what the matrix prints; `count` proves a passing cell checked something.
 */
import { isDeepStrictEqual } from 'node:util';
import { userProperties, type Limits, type MessageSpec, type Received } from './drivers/types.js';

export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

function show(value: unknown): string {
  if (Buffer.isBuffer(value)) {
    const hex = value.subarray(0, 24).toString('hex');
    return `${value.length} bytes ${hex}${value.length > 24 ? '...' : ''}`;
  }
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export class Checks {
  count = 0;

  equal(what: string, expected: unknown, got: unknown): void {
    this.count++;
    if (!isDeepStrictEqual(expected, got)) throw new ContractViolation(`${what}: expected ${show(expected)}, got ${show(got)}`);
  }

  that(what: string, ok: boolean, detail: string): void {
    this.count++;
    if (!ok) throw new ContractViolation(`${what}: ${detail}`);
  }
}

/** the delivered fields both sides can express, against what was published */
export function checkFields(check: Checks, label: string, spec: MessageSpec, m: Received, pub: Limits, sub: Limits): void {
  check.equal(`${label} body`, spec.body, m.body);
  check.equal(`${label} tag`, spec.tag, m.tag);
  if (!pub.keys && !sub.keys) check.equal(`${label} keys`, spec.keys ?? [], m.keys);
  if (!pub.properties && !sub.properties) check.equal(`${label} properties`, spec.properties ?? {}, userProperties(m.properties));
  if (!pub.contentType && !sub.contentType) check.equal(`${label} content type`, spec.contentType, m.contentType);
}

/** polls `condition` (for waits over several inboxes) */
export async function eventually(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new ContractViolation(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
