/**
 * SQL92 selector AST → a predicate over StoredMessage, with JMS three-valued logic
 * (JMS 1.1 §3.8.1.2): every comparison with NULL is UNKNOWN, NOT UNKNOWN is
 * UNKNOWN, UNKNOWN AND FALSE is FALSE, UNKNOWN OR TRUE is TRUE, and a message is
 * selected only when the selector is TRUE.
 *
 * The AST is compiled once (per subscription) into closures; operand types are
 * known at that point (sql92-values.ts), so each comparison closure applies one
 * rule and operands that can never fit (`'a' + 1`, `TRUE < 2`, a number where a
 * condition belongs) are refused as `selector type error at position N: ...`.
 */
import type { StoredMessage } from '../../message/message.js';
import { selectorError } from './sql92-lexer.js';
import { fieldReader } from './selector-fields.js';
import { parseSelector, type CompareOp, type Expr } from './sql92-parser.js';
import {
  equalityFor, inListMatcher, likeMatcher, orderingFor, textToBoolean, textToNumber, ValueType,
  type Tri, type Value,
} from './sql92-values.js';

type Eval = (m: StoredMessage) => Value;
type Cond = (m: StoredMessage) => Tri;
type NumEval = (m: StoredMessage) => number | null;

interface Compiled {
  type: ValueType;
  ev: Eval;
}

export interface Selector {
  /** the selector text as given */
  readonly expression: string;
  /** an empty selector selects everything */
  readonly matchesAll: boolean;
  /** TRUE, FALSE or UNKNOWN (null) */
  evaluate(message: StoredMessage): Tri;
  /** evaluate(message) === true */
  matches(message: StoredMessage): boolean;
}

/** Parses and compiles a selector; throws KernelError(InvalidFilter) on a syntax or type error. */
export function compileSelector(expression: string): Selector {
  const ast = parseSelector(expression);
  const cond: Cond = ast === undefined ? () => true : condition(ast);
  return {
    expression,
    matchesAll: ast === undefined,
    evaluate: cond,
    matches: (m) => cond(m) === true,
  };
}

const TYPE_NAMES: Record<ValueType, string> = {
  number: 'a number', string: 'a string', boolean: 'a boolean', text: 'a property', null: 'NULL',
};

function typeError(e: Expr, detail: string): Error {
  return selectorError(e.pos, detail, 'type');
}

/** An expression in a place that needs TRUE / FALSE / UNKNOWN. */
function condition(e: Expr): Cond {
  const c = compile(e);
  switch (c.type) {
    case ValueType.Boolean: return c.ev as Cond;
    case ValueType.Null: return () => null;
    case ValueType.Text: {
      const ev = c.ev;
      return (m) => {
        const v = ev(m);
        return v === null ? null : textToBoolean(v as string);
      };
    }
    default: throw typeError(e, `expected a condition but found ${TYPE_NAMES[c.type]}`);
  }
}

/** An expression in a place that needs a number (arithmetic); text that is not a number is NULL. */
function numeric(e: Expr): NumEval {
  const c = compile(e);
  switch (c.type) {
    case ValueType.Number: return c.ev as NumEval;
    case ValueType.Null: return () => null;
    case ValueType.Text: {
      const ev = c.ev;
      return (m) => {
        const v = ev(m);
        return v === null ? null : textToNumber(v as string) ?? null;
      };
    }
    default: throw typeError(e, `expected a number but found ${TYPE_NAMES[c.type]}`);
  }
}

/** An expression in a place that needs a string (LIKE, CONTAINS ...). */
function stringValue(e: Expr, op: string): (m: StoredMessage) => string | null {
  const c = compile(e);
  if (c.type === ValueType.Text || c.type === ValueType.String || c.type === ValueType.Null) {
    return c.ev as (m: StoredMessage) => string | null;
  }
  throw typeError(e, `${op} needs a string but found ${TYPE_NAMES[c.type]}`);
}

function compile(e: Expr): Compiled {
  switch (e.kind) {
    case 'literal': {
      const v = e.value;
      const type = v === null ? ValueType.Null : (typeof v as 'string' | 'number' | 'boolean');
      return { type, ev: () => v };
    }
    case 'property':
      return { type: ValueType.Text, ev: fieldReader(e.name) };
    case 'unary': {
      const operand = numeric(e.operand);
      if (e.op === '+') return { type: ValueType.Number, ev: operand };
      return { type: ValueType.Number, ev: (m) => { const v = operand(m); return v === null ? null : -v; } };
    }
    case 'arithmetic':
      return { type: ValueType.Number, ev: arithmetic(e.op, numeric(e.left), numeric(e.right)) };
    case 'not': {
      const operand = condition(e.operand);
      return bool((m) => { const v = operand(m); return v === null ? null : !v; });
    }
    case 'and':
    case 'or':
      return bool(logical(e.kind, e.operands.map(condition)));
    case 'compare':
      return bool(comparison(e.op, e.left, e.right));
    case 'between': {
      const low = comparison('>=', e.value, e.low);
      const high = comparison('<=', e.value, e.high);
      const within = logical('and', [low, high]);
      return bool(e.negated ? negate(within) : within);
    }
    case 'in': {
      const value = compile(e.value);
      const hasNull = e.items.includes(null);
      const member = inListMatcher(value.type, e.items);
      const ev = value.ev;
      const isIn: Cond = (m) => {
        const v = ev(m);
        if (v === null) return null;
        return member(v) ? true : hasNull ? null : false;
      };
      return bool(e.negated ? negate(isIn) : isIn);
    }
    case 'like': {
      const value = stringValue(e.value, 'LIKE');
      const test = likeMatcher(e.pattern, e.escape, e.patternPos, e.escapePos);
      const like: Cond = (m) => { const v = value(m); return v === null ? null : test(v); };
      return bool(e.negated ? negate(like) : like);
    }
    case 'stringMatch': {
      const value = stringValue(e.value, e.op);
      const s = e.operand;
      const test = e.op === 'CONTAINS' ? (v: string) => v.includes(s)
        : e.op === 'STARTSWITH' ? (v: string) => v.startsWith(s) : (v: string) => v.endsWith(s);
      const match: Cond = (m) => { const v = value(m); return v === null ? null : test(v); };
      return bool(e.negated ? negate(match) : match);
    }
    case 'isNull': {
      const ev = compile(e.value).ev;
      return bool(e.negated ? (m) => ev(m) !== null : (m) => ev(m) === null);
    }
  }
}

function bool(cond: Cond): Compiled {
  return { type: ValueType.Boolean, ev: cond };
}

function negate(c: Cond): Cond {
  return (m) => { const v = c(m); return v === null ? null : !v; };
}

function logical(kind: 'and' | 'or', operands: Cond[]): Cond {
  // FALSE decides an AND, TRUE decides an OR; otherwise UNKNOWN wins over the other value
  const decisive = kind === 'or';
  return (m) => {
    let unknown = false;
    for (let i = 0; i < operands.length; i++) {
      const v = operands[i]!(m);
      if (v === decisive) return decisive;
      if (v === null) unknown = true;
    }
    return unknown ? null : !decisive;
  };
}

function arithmetic(op: '+' | '-' | '*' | '/', left: NumEval, right: NumEval): NumEval {
  const apply = op === '+' ? (a: number, b: number) => a + b
    : op === '-' ? (a: number, b: number) => a - b
      : op === '*' ? (a: number, b: number) => a * b
        : (a: number, b: number) => (b === 0 ? NaN : a / b);
  return (m) => {
    const a = left(m);
    if (a === null) return null;
    const b = right(m);
    if (b === null) return null;
    const r = apply(a, b);
    return Number.isNaN(r) ? null : r;
  };
}

const ORDER_TESTS: Record<Exclude<CompareOp, '=' | '<>'>, (sign: number) => boolean> = {
  '<': (s) => s < 0,
  '<=': (s) => s <= 0,
  '>': (s) => s > 0,
  '>=': (s) => s >= 0,
};

function comparison(op: CompareOp, leftExpr: Expr, rightExpr: Expr): Cond {
  const left = compile(leftExpr);
  const right = compile(rightExpr);
  if (left.type === ValueType.Null || right.type === ValueType.Null) return () => null;
  const lf = left.ev;
  // a literal on the right (the usual `price > 10`) is read once, not per message
  const constant = rightExpr.kind === 'literal' ? rightExpr.value : undefined;
  const rf = right.ev;
  if (op === '=' || op === '<>') {
    const eq = equalityFor(left.type, right.type);
    const want = op === '=';
    return (m) => {
      const l = lf(m);
      if (l === null) return null;
      const r = constant ?? rf(m);
      if (r === null) return null;
      return eq(l, r) === want;
    };
  }
  const order = orderingFor(left.type, right.type);
  if (order === undefined) {
    throw typeError(leftExpr, `'${op}' cannot order ${TYPE_NAMES[left.type]} against ${TYPE_NAMES[right.type]}`);
  }
  const test = ORDER_TESTS[op];
  return (m) => {
    const l = lf(m);
    if (l === null) return null;
    const r = constant ?? rf(m);
    if (r === null) return null;
    const sign = order(l, r);
    return Number.isNaN(sign) ? null : test(sign);
  };
}
