/**
 * Tokens of the SQL92 message selector (the JMS 1.1 selector syntax that
 * RocketMQ's `MessageSelector.bySql` accepts).
 *
 * - Identifiers: a letter, `_` or `$`, then letters, digits, `_`, `$` or `.`
 *   (RocketMQ allows the dot, and our namespaced properties `mqtt.qos`,
 *   `stomp.*` need it). Identifiers are case-sensitive.
 * - Keywords (case-insensitive, reserved): NOT AND OR BETWEEN LIKE ESCAPE IN IS
 *   NULL TRUE FALSE. RocketMQ 5's CONTAINS / STARTSWITH / ENDSWITH are read as
 *   identifiers and recognised by the parser only in operator position.
 * - String literals in single quotes, `''` stands for one quote.
 * - Numbers with Java literal syntax: `57`, `057` (octal), `0x1F`, `12L`, `1.5`,
 *   `.5`, `1e3`, `2.5E-3`, `1.5f`/`1d`. All become JS doubles.
 * - Operators: = <> < <= > >= + - * / ( ) ,
 *
 * Positions are 1-based character offsets into the selector text.
 */
import { KernelError, KernelErrorCode } from '../../errors.js';

export const TokenKind = {
  Identifier: 'identifier',
  Keyword: 'keyword',
  String: 'string',
  Number: 'number',
  Operator: 'operator',
  End: 'end',
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

export interface Token {
  kind: TokenKind;
  /** identifier name, upper-cased keyword, operator text, or string literal value */
  text: string;
  /** numeric value of a number token */
  value: number;
  /** 1-based position of the token's first character */
  pos: number;
}

const KEYWORDS = new Set(['NOT', 'AND', 'OR', 'BETWEEN', 'LIKE', 'ESCAPE', 'IN', 'IS', 'NULL', 'TRUE', 'FALSE']);
const TWO_CHAR_OPERATORS = new Set(['<>', '<=', '>=']);
const ONE_CHAR_OPERATORS = new Set(['=', '<', '>', '+', '-', '*', '/', '(', ')', ',']);

const ID_START = /[\p{L}_$]/u;
const ID_PART = /[\p{L}\p{N}_$.]/u;
const DIGIT = /[0-9]/;

/** The one error type of the selector compiler: KernelError(InvalidFilter) with a 1-based position. */
export function selectorError(pos: number, detail: string, kind = 'syntax'): KernelError {
  return new KernelError(KernelErrorCode.InvalidFilter, `selector ${kind} error at position ${pos}: ${detail}`);
}

/** How a token reads in an error message: `end of input`, `')'`, `keyword AND`, `identifier 'a'`. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case TokenKind.End: return 'end of input';
    case TokenKind.Operator: return `'${t.text}'`;
    case TokenKind.Keyword: return `keyword ${t.text}`;
    case TokenKind.Identifier: return `identifier '${t.text}'`;
    case TokenKind.String: return `string '${t.text.replaceAll("'", "''")}'`;
    case TokenKind.Number: return `number ${t.value}`;
  }
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === "'") {
      i = readString(text, i, tokens);
    } else if (DIGIT.test(c) || (c === '.' && DIGIT.test(text[i + 1] ?? ''))) {
      i = readNumber(text, i, tokens);
    } else if (ID_START.test(c)) {
      let j = i + 1;
      while (j < text.length && ID_PART.test(text[j]!)) j++;
      const word = text.slice(i, j);
      const upper = word.toUpperCase();
      if (KEYWORDS.has(upper)) tokens.push({ kind: TokenKind.Keyword, text: upper, value: 0, pos: i + 1 });
      else tokens.push({ kind: TokenKind.Identifier, text: word, value: 0, pos: i + 1 });
      i = j;
    } else if (TWO_CHAR_OPERATORS.has(text.slice(i, i + 2))) {
      tokens.push({ kind: TokenKind.Operator, text: text.slice(i, i + 2), value: 0, pos: i + 1 });
      i += 2;
    } else if (ONE_CHAR_OPERATORS.has(c)) {
      tokens.push({ kind: TokenKind.Operator, text: c, value: 0, pos: i + 1 });
      i++;
    } else {
      const shown = c === '"' ? `'"' (string literals use single quotes)` : `'${c}'`;
      throw selectorError(i + 1, `unexpected character ${shown}`);
    }
  }
  tokens.push({ kind: TokenKind.End, text: '', value: 0, pos: text.length + 1 });
  return tokens;
}

function readString(text: string, start: number, out: Token[]): number {
  let value = '';
  let i = start + 1;
  for (;;) {
    const q = text.indexOf("'", i);
    if (q < 0) throw selectorError(start + 1, 'unterminated string literal');
    value += text.slice(i, q);
    if (text[q + 1] === "'") {
      value += "'";
      i = q + 2;
    } else {
      out.push({ kind: TokenKind.String, text: value, value: 0, pos: start + 1 });
      return q + 1;
    }
  }
}

const HEX_LITERAL = /^0[xX]([0-9a-fA-F]+)[lL]?/;
const DECIMAL_LITERAL = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;

function readNumber(text: string, start: number, out: Token[]): number {
  const rest = text.slice(start);
  let end: number;
  let value: number;
  const hex = HEX_LITERAL.exec(rest);
  if (hex) {
    end = start + hex[0].length;
    value = parseInt(hex[1]!, 16);
  } else {
    const lit = DECIMAL_LITERAL.exec(rest)![0];
    end = start + lit.length;
    const integral = /^[0-9]+$/.test(lit);
    if (integral && (text[end] === 'l' || text[end] === 'L')) end++;
    else if (/[fFdD]/.test(text[end] ?? '')) end++;
    if (integral && lit.length > 1 && lit.startsWith('0')) {
      // Java integer literal syntax: a leading 0 means octal
      if (!/^[0-7]+$/.test(lit)) throw selectorError(start + 1, `malformed octal number '${lit}'`);
      value = parseInt(lit, 8);
    } else {
      value = Number(lit);
    }
  }
  if (end < text.length && ID_PART.test(text[end]!)) {
    let j = end;
    while (j < text.length && ID_PART.test(text[j]!)) j++;
    throw selectorError(start + 1, `malformed number '${text.slice(start, j)}'`);
  }
  out.push({ kind: TokenKind.Number, text: text.slice(start, end), value, pos: start + 1 });
  return end;
}
