/**
 * Values of the SQL92 selector and how they compare.
 *
 * JMS properties are typed; ours are stored as strings. An identifier therefore
 * yields *text*, an untyped value whose meaning follows the other operand. The
 * rules, fixed per comparison when the selector is compiled (static types of the
 * two operands), are:
 *
 * | left \ right | number            | string          | boolean        | text                     |
 * |--------------|-------------------|-----------------|----------------|--------------------------|
 * | text         | numeric if the text is a number, else `=` FALSE, `<>` TRUE, `< <= > >=` UNKNOWN | string compare | `=`/`<>` against 'true'/'false' (any case), else `=` FALSE; ordering is a type error | both numbers: numeric, else string compare |
 * | number       | numeric           | `=` FALSE, ordering a type error | `=` FALSE, ordering a type error | as text × number |
 * | string       | as number × string | string compare | `=` FALSE, ordering a type error | string compare |
 *
 * - NULL (a missing property, the NULL literal, arithmetic on a non-number) makes
 *   every comparison UNKNOWN; a selector matches only when it is TRUE (JMS §3.8.1.2).
 * - "Is a number": `[+-]digits[.digits][e[+-]digits]` (also `.5`, `5.`), nothing else:
 *   no surrounding spaces, hex, `Infinity` or `NaN`. `'010'` is ten.
 * - String ordering (`<` on strings) compares UTF-16 code units. JMS allows only `=`
 *   and `<>` on strings; we accept ordering because our properties have no types.
 * - All numbers are IEEE doubles, so integer division is not truncated (`7 / 2` is 3.5)
 *   and integers above 2^53 lose precision. Division by zero and NaN results are NULL.
 */
import { selectorError } from './sql92-lexer.js';

export type Value = string | number | boolean | null;
/** three-valued logic: TRUE, FALSE, UNKNOWN (null) */
export type Tri = boolean | null;

/** Static type of a compiled expression. `text` is a property value: a string with no declared type. */
export const ValueType = {
  Number: 'number',
  String: 'string',
  Boolean: 'boolean',
  Text: 'text',
  Null: 'null',
} as const;
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

type NonNull = string | number | boolean;
export type Equality = (l: NonNull, r: NonNull) => boolean;
/** sign of l - r, or NaN when the two cannot be ordered */
export type Ordering = (l: NonNull, r: NonNull) => number;

const NUMERIC_TEXT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** The number a property's text stands for, or undefined when it is not a number. */
export function textToNumber(text: string): number | undefined {
  // fast path: a short unsigned integer, the common case for prices, counts, codes
  const n = text.length;
  if (n > 0 && n < 16) {
    let v = 0;
    let i = 0;
    for (; i < n; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === n) return v;
  }
  return NUMERIC_TEXT.test(text) ? Number(text) : undefined;
}

/** 'true' / 'false' in any case as a boolean, anything else UNKNOWN. */
export function textToBoolean(text: string): Tri {
  if (text.length === 4 && text.toLowerCase() === 'true') return true;
  if (text.length === 5 && text.toLowerCase() === 'false') return false;
  return null;
}

function numberOrder(l: number, r: number): number {
  return l < r ? -1 : l > r ? 1 : l === r ? 0 : NaN;
}

function stringOrder(l: string, r: string): number {
  return l < r ? -1 : l > r ? 1 : 0;
}

const strictEquals: Equality = (l, r) => l === r;
const neverEquals: Equality = () => false;

const textEqualsText: Equality = (l, r) => {
  if (l === r) return true;
  const a = textToNumber(l as string);
  if (a === undefined) return false;
  return a === textToNumber(r as string);
};
const textEqualsNumber: Equality = (l, r) => textToNumber(l as string) === r;
const textEqualsBoolean: Equality = (l, r) => textToBoolean(l as string) === r;

const textOrderText: Ordering = (l, r) => {
  const a = textToNumber(l as string);
  const b = a === undefined ? undefined : textToNumber(r as string);
  return b === undefined ? stringOrder(l as string, r as string) : numberOrder(a!, b);
};
const textOrderNumber: Ordering = (l, r) => {
  const a = textToNumber(l as string);
  return a === undefined ? NaN : numberOrder(a, r as number);
};

function swapped<T extends (l: NonNull, r: NonNull) => number | boolean>(f: T, negate: boolean): T {
  return (negate ? (l: NonNull, r: NonNull) => -(f(r, l) as number) : (l: NonNull, r: NonNull) => f(r, l)) as T;
}

/** How `=` compares non-null operands of these static types. */
export function equalityFor(left: ValueType, right: ValueType): Equality {
  if (left === ValueType.Text && right === ValueType.Text) return textEqualsText;
  if (right === ValueType.Text) return swapped(equalityFor(right, left), false);
  if (left === ValueType.Text) {
    if (right === ValueType.Number) return textEqualsNumber;
    if (right === ValueType.Boolean) return textEqualsBoolean;
    return strictEquals;
  }
  return left === right ? strictEquals : neverEquals;
}

/**
 * How `<`, `<=`, `>`, `>=` order non-null operands of these static types, or
 * undefined when they never can (booleans, a string literal against a number).
 */
export function orderingFor(left: ValueType, right: ValueType): Ordering | undefined {
  if (left === ValueType.Boolean || right === ValueType.Boolean) return undefined;
  if (left === ValueType.Text && right === ValueType.Text) return textOrderText;
  if (right === ValueType.Text) {
    const inverse = orderingFor(right, left);
    return inverse && swapped(inverse, true);
  }
  if (left === ValueType.Text) return right === ValueType.Number ? textOrderNumber : stringOrder as Ordering;
  if (left === ValueType.Number && right === ValueType.Number) return numberOrder as Ordering;
  if (left === ValueType.String && right === ValueType.String) return stringOrder as Ordering;
  return undefined;
}

/** JMS equality of a value of static type `type` with an IN list of literals. */
export function inListMatcher(type: ValueType, items: readonly Value[]): (v: NonNull) => boolean {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const booleans = new Set<boolean>();
  for (const item of items) {
    if (typeof item === 'string') strings.add(item);
    else if (typeof item === 'number') numbers.add(item);
    else if (typeof item === 'boolean') booleans.add(item);
  }
  switch (type) {
    case ValueType.Text:
      return (v) => {
        const text = v as string;
        if (strings.has(text)) return true;
        if (numbers.size > 0) {
          const n = textToNumber(text);
          if (n !== undefined && numbers.has(n)) return true;
        }
        return booleans.size > 0 && booleans.has(textToBoolean(text) as boolean);
      };
    case ValueType.Number:
      return (v) => numbers.has(v as number);
    case ValueType.String:
      return (v) => strings.has(v as string);
    default:
      return (v) => booleans.has(v as boolean);
  }
}

/**
 * A LIKE pattern as a matcher: `%` any run of characters, `_` exactly one
 * (a code point), `escape` makes the next `%`, `_` or escape literal.
 * Plain prefix / suffix / infix patterns skip the regular expression.
 */
export function likeMatcher(
  pattern: string, escape: string | undefined, patternPos: number, escapePos = patternPos,
): (s: string) => boolean {
  if (escape !== undefined && [...escape].length !== 1) {
    throw selectorError(escapePos, `ESCAPE must be a single character, got '${escape}'`);
  }
  const pieces: Piece[] = [];
  let literal = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === escape) {
      const next = chars[i + 1];
      if (next !== '%' && next !== '_' && next !== escape) {
        throw selectorError(patternPos, `in LIKE pattern '${pattern}' the escape '${escape}' must be followed by '%', '_' or itself`);
      }
      literal += next;
      i++;
    } else if (c === '%' || c === '_') {
      if (literal) pieces.push(literal);
      literal = '';
      pieces.push(c === '%' ? ANY : ONE);
    } else {
      literal += c;
    }
  }
  if (literal) pieces.push(literal);
  return matcherOf(pieces);
}

const ANY = Symbol('%');
const ONE = Symbol('_');
type Piece = string | typeof ANY | typeof ONE;

function matcherOf(pieces: Piece[]): (s: string) => boolean {
  const [a, b, c] = pieces;
  const n = pieces.length;
  if (n === 0) return (s) => s === '';
  if (n === 1 && typeof a === 'string') return (s) => s === a;
  if (n === 1 && a === ANY) return () => true;
  if (n === 2 && typeof a === 'string' && b === ANY) return (s) => s.startsWith(a);
  if (n === 2 && a === ANY && typeof b === 'string') return (s) => s.endsWith(b);
  if (n === 3 && a === ANY && typeof b === 'string' && c === ANY) return (s) => s.includes(b);
  const source = pieces
    .map((p) => (p === ANY ? '.*' : p === ONE ? '.' : p.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${source}$`, 'su');
  return (s) => re.test(s);
}
