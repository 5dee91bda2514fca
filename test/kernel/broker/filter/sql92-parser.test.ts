import { isKernelError, KernelErrorCode } from '../../../../src/kernel/errors.js';
import { compileSelector } from '../../../../src/kernel/broker/filter/sql92-eval.js';
import { MAX_HEIGHT, MAX_NESTING, parseSelector } from '../../../../src/kernel/broker/filter/sql92-parser.js';

function errorOf(selector: string): string {
  try {
    compileSelector(selector);
  } catch (err) {
    expect(isKernelError(err, KernelErrorCode.InvalidFilter)).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`selector compiled: ${selector}`);
}

describe('SQL92 parser: syntax errors name the 1-based position and what was expected', () => {
  it.each<[string, string]>([
    ['(a = 1', "selector syntax error at position 7: expected ')' but found end of input"],
    ["a IN ('x', 'y'", "selector syntax error at position 15: expected ',' or ')' but found end of input"],
    ['a = ', "selector syntax error at position 5: expected an identifier, a literal or '(' but found end of input"],
    ["a = 'abc", 'selector syntax error at position 5: unterminated string literal'],
    ['a BETWEEN 1 OR 2', 'selector syntax error at position 13: expected AND but found keyword OR'],
    ['a IS 5', 'selector syntax error at position 6: expected NOT or NULL but found number 5'],
    ['a IS NOT TRUE', 'selector syntax error at position 10: expected NULL but found keyword TRUE'],
    ['a LIKE b', "selector syntax error at position 8: expected a string literal after LIKE but found identifier 'b'"],
    ["a LIKE 'x' ESCAPE 1", 'selector syntax error at position 19: expected a string literal after ESCAPE but found number 1'],
    ['a = 1 b = 2', "selector syntax error at position 7: expected AND, OR or end of input but found identifier 'b'"],
    ['a = b = c', "selector syntax error at position 7: expected AND, OR or end of input but found '='"],
    ['a == 1', "selector syntax error at position 4: expected an identifier, a literal or '(' but found '='"],
    ['a = "x"', `selector syntax error at position 5: unexpected character '"' (string literals use single quotes)`],
    ['a # 1', "selector syntax error at position 3: unexpected character '#'"],
    ['a IN ()', "selector syntax error at position 7: expected a literal in the IN list but found ')'"],
    ['a IN (b)', "selector syntax error at position 7: expected a literal in the IN list but found identifier 'b'"],
    ["a IN ('x',)", "selector syntax error at position 11: expected a literal in the IN list but found ')'"],
    ['AND a = 1', "selector syntax error at position 1: expected an identifier, a literal or '(' but found keyword AND"],
    ['a = 1 AND', "selector syntax error at position 10: expected an identifier, a literal or '(' but found end of input"],
    ['a NOT b', "selector syntax error at position 7: expected BETWEEN, IN, LIKE, CONTAINS, STARTSWITH or ENDSWITH after NOT but found identifier 'b'"],
    ['12abc = 1', "selector syntax error at position 1: malformed number '12abc'"],
    ['x = 09', "selector syntax error at position 5: malformed octal number '09'"],
    ['in = 1', "selector syntax error at position 1: expected an identifier, a literal or '(' but found keyword IN"],
    ["s CONTAINS 5", 'selector syntax error at position 12: expected a string literal after CONTAINS but found number 5'],
    ['(a = 1))', "selector syntax error at position 8: expected AND, OR or end of input but found ')'"],
  ])('%s → %s', (selector, message) => {
    expect(errorOf(selector)).toBe(message);
  });

  it('positions count characters of the selector text, across lines', () => {
    expect(errorOf("region = 'eu'\n  AND (price > 10")).toBe(
      "selector syntax error at position 32: expected ')' but found end of input",
    );
  });
});

describe('SQL92 compiler: type errors name the position of the operand', () => {
  it.each<[string, string]>([
    ['1', 'selector type error at position 1: expected a condition but found a number'],
    ["'abc'", 'selector type error at position 1: expected a condition but found a string'],
    ['a = 1 AND 2', 'selector type error at position 11: expected a condition but found a number'],
    ["price + 'x' > 1", 'selector type error at position 9: expected a number but found a string'],
    ['-TRUE = 1', 'selector type error at position 2: expected a number but found a boolean'],
    ["'a' < 1", "selector type error at position 1: '<' cannot order a string against a number"],
    ['TRUE > FALSE', "selector type error at position 1: '>' cannot order a boolean against a boolean"],
    ['flag >= TRUE', "selector type error at position 1: '>=' cannot order a property against a boolean"],
    ["1 LIKE '1'", 'selector type error at position 1: LIKE needs a string but found a number'],
  ])('%s → %s', (selector, message) => {
    expect(errorOf(selector)).toBe(message);
  });

  it.each<[string, string]>([
    ["a LIKE 'x' ESCAPE 'ab'", "selector syntax error at position 19: ESCAPE must be a single character, got 'ab'"],
    ["a LIKE 'x' ESCAPE ''", "selector syntax error at position 19: ESCAPE must be a single character, got ''"],
    ["a LIKE 'a\\b' ESCAPE '\\'", "selector syntax error at position 8: in LIKE pattern 'a\\b' the escape '\\' must be followed by '%', '_' or itself"],
    ["a LIKE 'ab\\' ESCAPE '\\'", "selector syntax error at position 8: in LIKE pattern 'ab\\' the escape '\\' must be followed by '%', '_' or itself"],
  ])('bad LIKE escapes are refused at compile time: %s', (selector, message) => {
    expect(errorOf(selector)).toBe(message);
  });
});

describe('SQL92 parser: limits and shapes', () => {
  it('refuses nesting deeper than MAX_NESTING instead of overflowing the stack', () => {
    const deep = '('.repeat(MAX_NESTING + 1) + 'a = 1' + ')'.repeat(MAX_NESTING + 1);
    expect(errorOf(deep)).toMatch(/^selector syntax error at position \d+: nesting deeper than 100 levels$/);
    expect(errorOf('NOT '.repeat(200_000) + 'TRUE')).toMatch(/nesting deeper than/);
    const ok = '('.repeat(MAX_NESTING) + 'a = 1' + ')'.repeat(MAX_NESTING);
    expect(compileSelector(ok).matches({ properties: { a: '1' } } as never)).toBe(true);
  });

  it('refuses arithmetic chains taller than MAX_HEIGHT', () => {
    expect(errorOf(`${Array(MAX_HEIGHT + 1).fill('1').join(' + ')} > 0`)).toMatch(/expression deeper than 400 levels/);
  });

  it('keeps long AND / OR chains flat, so thousands of alternatives compile and run', () => {
    const ast = parseSelector('a = 1 OR b = 2 OR c = 3');
    expect(ast?.kind).toBe('or');
    expect(ast?.kind === 'or' && ast.operands.length).toBe(3);
    const selector = Array.from({ length: 5000 }, (_, i) => `n = ${i}`).join(' OR ');
    expect(compileSelector(selector).matches({ properties: { n: '4999' } } as never)).toBe(true);
  });

  it('folds a signed number literal, so -5 in IN lists and bounds is a constant', () => {
    expect(parseSelector('x = -5')).toMatchObject({ kind: 'compare', right: { kind: 'literal', value: -5 } });
  });

  it('reads an empty or blank selector as "no selector"', () => {
    expect(parseSelector('')).toBeUndefined();
    expect(parseSelector(' \n\t ')).toBeUndefined();
    expect(compileSelector('  ').matchesAll).toBe(true);
  });

  it("reads '' inside a string literal as one quote", () => {
    expect(parseSelector("a = 'it''s'")).toMatchObject({ right: { kind: 'literal', value: "it's" } });
    expect(parseSelector("a = ''''")).toMatchObject({ right: { kind: 'literal', value: "'" } });
  });
});
