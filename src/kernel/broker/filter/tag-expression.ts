/**
 * RocketMQ tag expressions (`consumer.subscribe(topic, "a || b")`, FilterAPI).
 *
 * - `*`, an empty or all-blank expression: every message, tagged or not.
 * - `a || b || c`: a message whose tag is exactly one of them; blanks around tags are
 *   ignored and empty alternatives skipped (`a || || b` is `a || b`), as RocketMQ does.
 *   An untagged message matches no list.
 * - The consume queue stores each message's tag hash (Java String.hashCode, see
 *   record-codec.ts `tagHash`), so the queue is pre-filtered on the set of hashes and
 *   a hit is confirmed on the decoded message's tag: two tags with one hash
 *   (`Aa` and `BB`) are told apart there.
 *
 * Two deliberate departures from RocketMQ, both of which it would accept silently
 * and then never match: a `*` among alternatives (`a || *`) means every message,
 * not the literal tag `*`; and a single `|` (`a | b`) is refused as InvalidFilter.
 */
import { KernelError, KernelErrorCode } from '../../errors.js';
import { tagHash } from '../../message/record-codec.js';

export const SUB_ALL = '*';
const SEPARATOR = '||';

export interface TagExpression {
  /** the expression as given */
  readonly expression: string;
  /** `*`: every message */
  readonly all: boolean;
  /** the tags named (empty when `all`) */
  readonly tags: ReadonlySet<string>;
  /** their consume-queue tag codes */
  readonly codes: ReadonlySet<number>;
  /** pre-filter on a consume-queue entry's tag code */
  matchesTagsCode(tagsCode: number): boolean;
  /** exact check on a message's tag */
  matchesTag(tag: string | undefined): boolean;
}

export function parseTagExpression(expression: string | undefined): TagExpression {
  const text = (expression ?? '').trim();
  const tags = new Set<string>();
  let all = text === '' || text === SUB_ALL;
  if (!all) {
    for (const part of text.split(SEPARATOR)) {
      const tag = part.trim();
      if (tag === '') continue;
      if (tag.includes('|')) {
        throw new KernelError(
          KernelErrorCode.InvalidFilter,
          `tag expression '${text}': single '|' in '${tag}' (alternatives are separated by '||')`,
        );
      }
      if (tag === SUB_ALL) all = true;
      tags.add(tag);
    }
    if (tags.size === 0) {
      throw new KernelError(KernelErrorCode.InvalidFilter, `tag expression '${text}' names no tag`);
    }
  }
  if (all) tags.clear();
  const codes = new Set<number>();
  for (const tag of tags) codes.add(tagHash(tag));
  return {
    expression: expression ?? SUB_ALL,
    all,
    tags,
    codes,
    matchesTagsCode: all ? () => true : (code) => codes.has(code),
    matchesTag: all ? () => true : (tag) => tag !== undefined && tags.has(tag),
  };
}
