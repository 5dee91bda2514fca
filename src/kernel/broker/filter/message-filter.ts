/**
 * A subscription's filter as the store applies it (StoreFilter): first on the
 * consume-queue entry's tag code, then on the decoded message.
 *
 * - TAG (or a plain string, or nothing): tag expression, tag-hash pre-filter then
 *   an exact tag check (tag-expression.ts).
 * - SQL92: the JMS selector (sql92-eval.ts). There is no consume-queue pre-filter
 *   (RocketMQ's bloom-filter bit map is not built), so every entry passes
 *   `matchesTagsCode` and the selector decides on the message. An empty selector
 *   selects everything, as in JMS.
 *
 * Compile once per subscription; compiling throws KernelError(InvalidFilter).
 */
import type { FilterSpec } from '../../client/broker-api.js';
import { FilterType } from '../../client/broker-api.js';
import { KernelError, KernelErrorCode } from '../../errors.js';
import type { StoredMessage } from '../../message/message.js';
import type { StoreFilter } from '../../store/store-api.js';
import { compileSelector } from './sql92-eval.js';
import { parseTagExpression, SUB_ALL } from './tag-expression.js';

export interface MessageFilter extends StoreFilter {
  readonly spec: FilterSpec;
  /** true when the filter lets every message through (`*`, empty selector) */
  readonly matchesAll: boolean;
}

export function compileFilter(spec?: FilterSpec | string): MessageFilter {
  if (spec === undefined) return tagFilter({ type: FilterType.Tag, expression: SUB_ALL });
  if (typeof spec === 'string') return tagFilter({ type: FilterType.Tag, expression: spec });
  if (typeof spec !== 'object' || spec === null || typeof spec.expression !== 'string') {
    throw new KernelError(KernelErrorCode.InvalidFilter, 'filter must be {type, expression} with a string expression');
  }
  const type = typeof spec.type === 'string' ? spec.type.toUpperCase() : spec.type;
  switch (type) {
    case FilterType.Tag:
      return tagFilter({ type: FilterType.Tag, expression: spec.expression });
    case FilterType.Sql92:
      return sqlFilter({ type: FilterType.Sql92, expression: spec.expression });
    default:
      throw new KernelError(KernelErrorCode.InvalidFilter, `unknown filter type '${String(spec.type)}' (TAG or SQL92)`);
  }
}

function tagFilter(spec: FilterSpec): MessageFilter {
  const tags = parseTagExpression(spec.expression);
  if (tags.all) return { spec, matchesAll: true, matchesTagsCode: () => true, matchesMessage: () => true };
  return {
    spec,
    matchesAll: false,
    // `| 0`: a tag code read back as an unsigned or 64-bit value compares as Java's int hash
    matchesTagsCode: (code) => tags.matchesTagsCode(code | 0),
    matchesMessage: (m: StoredMessage) => tags.matchesTag(m.tag),
  };
}

function sqlFilter(spec: FilterSpec): MessageFilter {
  const selector = compileSelector(spec.expression);
  return {
    spec,
    matchesAll: selector.matchesAll,
    matchesTagsCode: () => true,
    matchesMessage: selector.matchesAll ? () => true : (m: StoredMessage) => selector.matches(m),
  };
}
