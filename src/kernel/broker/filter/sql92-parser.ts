/**
 * SQL92 selector text → AST, by recursive descent. Grammar (JMS 1.1 §3.8.1.1,
 * precedence from loosest to tightest; keywords case-insensitive):
 *
 *   selector   := [ or ] END                       (empty text: no AST, matches all)
 *   or         := and { OR and }
 *   and        := not { AND not }
 *   not        := NOT not | predicate
 *   predicate  := sum [ ('=' | '<>' | '<' | '<=' | '>' | '>=') sum
 *                     | [NOT] BETWEEN sum AND sum
 *                     | [NOT] IN '(' literal { ',' literal } ')'
 *                     | [NOT] LIKE string [ ESCAPE string ]
 *                     | [NOT] (CONTAINS | STARTSWITH | ENDSWITH) string   (RocketMQ 5)
 *                     | IS [NOT] NULL ]
 *   sum        := product { ('+' | '-') product }
 *   product    := unary { ('*' | '/') unary }
 *   unary      := ('-' | '+') unary | primary
 *   primary    := literal | identifier | '(' or ')'
 *   literal    := string | number | TRUE | FALSE | NULL
 *
 * Comparisons do not chain (`a = b = c` is an error; write `(a = b) = c`).
 * Whether operands have fitting types is checked by sql92-eval.ts when it compiles
 * the AST. Errors are KernelError(InvalidFilter), e.g.
 * `selector syntax error at position 12: expected ')' but found end of input`.
 */
import { describeToken, selectorError, tokenize, TokenKind, type Token } from './sql92-lexer.js';

export type Literal = string | number | boolean | null;
export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type ArithmeticOp = '+' | '-' | '*' | '/';
export type StringMatchOp = 'CONTAINS' | 'STARTSWITH' | 'ENDSWITH';

interface NodeBase {
  /** 1-based position of the node's first token */
  pos: number;
  /** longest path to a leaf (a leaf has height 1); bounded by MAX_HEIGHT */
  height: number;
}

export type Expr =
  | (NodeBase & { kind: 'literal'; value: Literal })
  | (NodeBase & { kind: 'property'; name: string })
  | (NodeBase & { kind: 'unary'; op: '+' | '-'; operand: Expr })
  | (NodeBase & { kind: 'arithmetic'; op: ArithmeticOp; left: Expr; right: Expr })
  | (NodeBase & { kind: 'not'; operand: Expr })
  | (NodeBase & { kind: 'and' | 'or'; operands: Expr[] })
  | (NodeBase & { kind: 'compare'; op: CompareOp; left: Expr; right: Expr })
  | (NodeBase & { kind: 'between'; negated: boolean; value: Expr; low: Expr; high: Expr })
  | (NodeBase & { kind: 'in'; negated: boolean; value: Expr; items: Literal[] })
  | (NodeBase & { kind: 'like'; negated: boolean; value: Expr; pattern: string; escape?: string; patternPos: number; escapePos?: number })
  | (NodeBase & { kind: 'stringMatch'; op: StringMatchOp; negated: boolean; value: Expr; operand: string })
  | (NodeBase & { kind: 'isNull'; negated: boolean; value: Expr });

/** Deepest nesting of parentheses, NOT and unary signs before the parser gives up. */
export const MAX_NESTING = 100;
/** Tallest AST accepted (long `a + b + c ...` chains), so evaluation never nears the stack limit. */
export const MAX_HEIGHT = 400;

const COMPARE_OPS = new Set<string>(['=', '<>', '<', '<=', '>', '>=']);
const STRING_MATCH_OPS = new Set<string>(['CONTAINS', 'STARTSWITH', 'ENDSWITH']);

/** Parses a selector; `undefined` for an empty (all-whitespace) selector, which JMS reads as "no selector". */
export function parseSelector(text: string): Expr | undefined {
  const parser = new Parser(tokenize(text));
  if (parser.peek().kind === TokenKind.End) return undefined;
  const expr = parser.parseOr();
  parser.expectEnd();
  return expr;
}

function heightOf(...children: Expr[]): number {
  let h = 0;
  for (const c of children) if (c.height > h) h = c.height;
  return h + 1;
}

class Parser {
  private index = 0;
  private nesting = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== TokenKind.End) {
      throw selectorError(t.pos, `expected AND, OR or end of input but found ${describeToken(t)}`);
    }
  }

  parseOr(): Expr {
    return this.parseChain('OR', 'or', () => this.parseAnd());
  }

  private parseAnd(): Expr {
    return this.parseChain('AND', 'and', () => this.parseNot());
  }

  private parseChain(keyword: string, kind: 'and' | 'or', next: () => Expr): Expr {
    const first = next();
    if (!this.isKeyword(keyword)) return first;
    const operands = [first];
    while (this.acceptKeyword(keyword)) operands.push(next());
    return this.node({ kind, operands, pos: first.pos, height: heightOf(...operands) });
  }

  private parseNot(): Expr {
    const t = this.peek();
    if (!this.acceptKeyword('NOT')) return this.parsePredicate();
    const operand = this.nested(t, () => this.parseNot());
    return this.node({ kind: 'not', operand, pos: t.pos, height: heightOf(operand) });
  }

  private parsePredicate(): Expr {
    const value = this.parseSum();
    const t = this.peek();
    const base = { value, pos: value.pos };
    if (t.kind === TokenKind.Operator && COMPARE_OPS.has(t.text)) {
      this.index++;
      const right = this.parseSum();
      return this.node({ kind: 'compare', op: t.text as CompareOp, left: value, right, pos: value.pos, height: heightOf(value, right) });
    }
    if (this.acceptKeyword('IS')) {
      const negated = this.acceptKeyword('NOT');
      this.expectKeyword('NULL', negated ? 'NULL' : 'NOT or NULL');
      return this.node({ kind: 'isNull', negated, ...base, height: heightOf(value) });
    }
    const negated = this.acceptKeyword('NOT');
    if (this.acceptKeyword('BETWEEN')) {
      const low = this.parseSum();
      this.expectKeyword('AND', 'AND');
      const high = this.parseSum();
      return this.node({ kind: 'between', negated, low, high, ...base, height: heightOf(value, low, high) });
    }
    if (this.acceptKeyword('IN')) {
      return this.node({ kind: 'in', negated, items: this.parseInList(), ...base, height: heightOf(value) });
    }
    if (this.acceptKeyword('LIKE')) {
      const patternPos = this.peek().pos;
      const pattern = this.expectString('a string literal after LIKE');
      if (!this.acceptKeyword('ESCAPE')) return this.node({ kind: 'like', negated, pattern, patternPos, ...base, height: heightOf(value) });
      const escapePos = this.peek().pos;
      const escape = this.expectString('a string literal after ESCAPE');
      return this.node({ kind: 'like', negated, pattern, patternPos, escape, escapePos, ...base, height: heightOf(value) });
    }
    const op = this.peek();
    if (op.kind === TokenKind.Identifier && STRING_MATCH_OPS.has(op.text.toUpperCase())) {
      this.index++;
      const operand = this.expectString(`a string literal after ${op.text.toUpperCase()}`);
      return this.node({ kind: 'stringMatch', op: op.text.toUpperCase() as StringMatchOp, negated, operand, ...base, height: heightOf(value) });
    }
    if (negated) throw this.unexpected('BETWEEN, IN, LIKE, CONTAINS, STARTSWITH or ENDSWITH after NOT');
    return value;
  }

  private parseInList(): Literal[] {
    this.expectOperator('(');
    const items: Literal[] = [];
    do {
      const t = this.peek();
      const sign = t.kind === TokenKind.Operator && (t.text === '-' || t.text === '+') ? t.text : undefined;
      if (sign) this.index++;
      const item = this.peek();
      if (item.kind === TokenKind.Number) items.push(sign === '-' ? -item.value : item.value);
      else if (sign) throw this.unexpected('a number');
      else if (item.kind === TokenKind.String) items.push(item.text);
      else if (this.isKeyword('NULL')) items.push(null);
      else if (this.isKeyword('TRUE') || this.isKeyword('FALSE')) items.push(item.text === 'TRUE');
      else throw this.unexpected('a literal in the IN list');
      this.index++;
    } while (this.acceptOperator(','));
    this.expectOperator(')', "',' or ')'");
    return items;
  }

  private parseSum(): Expr {
    let left = this.parseProduct();
    for (let t = this.peek(); this.acceptOperator('+') || this.acceptOperator('-'); t = this.peek()) {
      const right = this.parseProduct();
      left = this.node({ kind: 'arithmetic', op: t.text as ArithmeticOp, left, right, pos: left.pos, height: heightOf(left, right) });
    }
    return left;
  }

  private parseProduct(): Expr {
    let left = this.parseUnary();
    for (let t = this.peek(); this.acceptOperator('*') || this.acceptOperator('/'); t = this.peek()) {
      const right = this.parseUnary();
      left = this.node({ kind: 'arithmetic', op: t.text as ArithmeticOp, left, right, pos: left.pos, height: heightOf(left, right) });
    }
    return left;
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (!this.acceptOperator('-') && !this.acceptOperator('+')) return this.parsePrimary();
    const op = t.text as '+' | '-';
    const next = this.peek();
    if (next.kind === TokenKind.Number) {
      // fold `-5` into a literal so IN lists, BETWEEN bounds and constants stay simple
      this.index++;
      return { kind: 'literal', value: op === '-' ? -next.value : next.value, pos: t.pos, height: 1 };
    }
    const operand = this.nested(t, () => this.parseUnary());
    return this.node({ kind: 'unary', op, operand, pos: t.pos, height: heightOf(operand) });
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case TokenKind.String:
        this.index++;
        return { kind: 'literal', value: t.text, pos: t.pos, height: 1 };
      case TokenKind.Number:
        this.index++;
        return { kind: 'literal', value: t.value, pos: t.pos, height: 1 };
      case TokenKind.Identifier:
        this.index++;
        return { kind: 'property', name: t.text, pos: t.pos, height: 1 };
      case TokenKind.Keyword:
        if (t.text === 'TRUE' || t.text === 'FALSE' || t.text === 'NULL') {
          this.index++;
          return { kind: 'literal', value: t.text === 'NULL' ? null : t.text === 'TRUE', pos: t.pos, height: 1 };
        }
        break;
      case TokenKind.Operator:
        if (t.text === '(') {
          this.index++;
          const inner = this.nested(t, () => this.parseOr());
          this.expectOperator(')');
          return inner;
        }
        break;
      case TokenKind.End:
        break;
    }
    throw this.unexpected('an identifier, a literal or \'(\'');
  }

  private nested(at: Token, parse: () => Expr): Expr {
    if (++this.nesting > MAX_NESTING) throw selectorError(at.pos, `nesting deeper than ${MAX_NESTING} levels`);
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  private node<T extends Expr>(e: T): T {
    if (e.height > MAX_HEIGHT) throw selectorError(e.pos, `expression deeper than ${MAX_HEIGHT} levels`);
    return e;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === TokenKind.Keyword && t.text === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.index++;
    return true;
  }

  private expectKeyword(word: string, expected: string): void {
    if (!this.acceptKeyword(word)) throw this.unexpected(expected);
  }

  private acceptOperator(op: string): boolean {
    const t = this.peek();
    if (t.kind !== TokenKind.Operator || t.text !== op) return false;
    this.index++;
    return true;
  }

  private expectOperator(op: string, expected = `'${op}'`): void {
    if (!this.acceptOperator(op)) throw this.unexpected(expected);
  }

  private expectString(expected: string): string {
    const t = this.peek();
    if (t.kind !== TokenKind.String) throw this.unexpected(expected);
    this.index++;
    return t.text;
  }

  private unexpected(expected: string): Error {
    const t = this.peek();
    return selectorError(t.pos, `expected ${expected} but found ${describeToken(t)}`);
  }
}
