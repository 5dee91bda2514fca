import { compileSelector } from '../../../../src/kernel/broker/filter/sql92-eval.js';
import { withProps } from './stored-message.js';

type Outcome = 'TRUE' | 'FALSE' | 'UNKNOWN';
type Case = [string, Record<string, string>, Outcome];

function outcome(selector: string, props: Record<string, string> = {}, tag?: string): Outcome {
  const v = compileSelector(selector).evaluate(withProps(props, tag));
  return v === null ? 'UNKNOWN' : v ? 'TRUE' : 'FALSE';
}

describe('SQL92 selector: comparing property text with numbers and strings', () => {
  it.each<Case>([
    ['price > 10', { price: '12' }, 'TRUE'],
    ['price > 10', { price: '9' }, 'FALSE'],
    ['price >= 12', { price: '12.0' }, 'TRUE'],
    ['price = 10', { price: '1e1' }, 'TRUE'],
    ['price = 10.0', { price: '10' }, 'TRUE'],
    ['price < -1.5', { price: '-2' }, 'TRUE'],
    ['10 < price', { price: '12' }, 'TRUE'],
    ['10 > price', { price: '12' }, 'FALSE'],
  ])('numeric when the other side is a number and the text parses: %s with %j is %s', (s, p, e) => {
    expect(outcome(s, p)).toBe(e);
  });

  it.each<Case>([
    ['region > 5', { region: 'eu' }, 'UNKNOWN'],
    ['region <= 5', { region: 'eu' }, 'UNKNOWN'],
    ['NOT (region > 5)', { region: 'eu' }, 'UNKNOWN'],
    ['region = 5', { region: 'eu' }, 'FALSE'],
    ['region <> 5', { region: 'eu' }, 'TRUE'],
    ['price = 10', { price: ' 10' }, 'FALSE'],
    ['price = 16', { price: '0x10' }, 'FALSE'],
    ['price = 0', { price: 'NaN' }, 'FALSE'],
    ['price > 0', { price: 'Infinity' }, 'UNKNOWN'],
  ])('text that is not a number: = is FALSE, <> TRUE, ordering UNKNOWN: %s with %j is %s', (s, p, e) => {
    expect(outcome(s, p)).toBe(e);
  });

  it.each<Case>([
    ["code = '7'", { code: '007' }, 'FALSE'],
    ['code = 7', { code: '007' }, 'TRUE'],
    ["price > '10'", { price: '9' }, 'TRUE'],
    ["region < 'fr'", { region: 'eu' }, 'TRUE'],
    ["name = 'O''Brien'", { name: "O'Brien" }, 'TRUE'],
    ["name = ''", { name: '' }, 'TRUE'],
  ])('a string literal compares as a string: %s with %j is %s', (s, p, e) => {
    expect(outcome(s, p)).toBe(e);
  });

  it.each<Case>([
    ['a < b', { a: '9', b: '10' }, 'TRUE'],
    ['a = b', { a: '10', b: '10.0' }, 'TRUE'],
    ['a < b', { a: 'x9', b: 'x10' }, 'FALSE'],
    ['a = b', { a: 'eu', b: 'eu' }, 'TRUE'],
    ['a < b', { a: '9', b: 'x' }, 'TRUE'],
  ])('two properties: numeric when both are numbers, else string: %s with %j is %s', (s, p, e) => {
    expect(outcome(s, p)).toBe(e);
  });

  it.each<[string, Outcome]>([
    ["'a' = 1", 'FALSE'],
    ["'a' <> 1", 'TRUE'],
    ['TRUE = 1', 'FALSE'],
    ['1 = 1.0', 'TRUE'],
  ])('literals of different types are never equal: %s', (s, e) => {
    expect(outcome(s)).toBe(e);
  });
});

describe('SQL92 selector: arithmetic', () => {
  it.each<Case>([
    ['1 + 2 * 3 = 7', {}, 'TRUE'],
    ['(1 + 2) * 3 = 9', {}, 'TRUE'],
    ['10 - 4 - 3 = 3', {}, 'TRUE'],
    ['12 / 3 / 2 = 2', {}, 'TRUE'],
    ['2 * 3 + 4 * 5 = 26', {}, 'TRUE'],
    ['-2 * -3 = 6', {}, 'TRUE'],
    ['- price = -12', { price: '12' }, 'TRUE'],
    ['-(1 + 2) = -3', {}, 'TRUE'],
    ['+price = 12', { price: '12' }, 'TRUE'],
    ['price * 2 > 20', { price: '12' }, 'TRUE'],
    ['price - 2 * 3 = 6', { price: '12' }, 'TRUE'],
    ['a + b = 5', { a: '2', b: '3' }, 'TRUE'],
    ['7 / 2 = 3.5', {}, 'TRUE'],
    ['price + 1 > 0', { price: 'abc' }, 'UNKNOWN'],
    ['price / 0 > 0', { price: '1' }, 'UNKNOWN'],
    ['1 + 2 * 3 BETWEEN 7 AND 7', {}, 'TRUE'],
  ])('precedence is * / over + -, left to right; non-numbers and /0 give NULL: %s with %j is %s', (s, p, e) => {
    expect(outcome(s, p)).toBe(e);
  });

  it.each<[string, Outcome]>([
    ['1.5e1 = 15', 'TRUE'],
    ['2.5E-1 = 0.25', 'TRUE'],
    ['.5 = 0.5', 'TRUE'],
    ['5. = 5', 'TRUE'],
    ['0x1F = 31', 'TRUE'],
    ['010 = 8', 'TRUE'],
    ['12L = 12', 'TRUE'],
    ['1.5f = 1.5', 'TRUE'],
    ['0 = -0', 'TRUE'],
  ])('numeric literals follow Java syntax (octal with a leading 0, hex, L/F/D suffixes): %s', (s, e) => {
    expect(outcome(s)).toBe(e);
  });
});

describe('SQL92 selector: BETWEEN', () => {
  it.each<Case>([
    ['x BETWEEN 1 AND 5', { x: '1' }, 'TRUE'],
    ['x BETWEEN 1 AND 5', { x: '5' }, 'TRUE'],
    ['x BETWEEN 1 AND 5', { x: '5.01' }, 'FALSE'],
    ['x BETWEEN 1 AND 5', { x: '0' }, 'FALSE'],
    ['x NOT BETWEEN 1 AND 5', { x: '0' }, 'TRUE'],
    ['x NOT BETWEEN 1 AND 5', { x: '3' }, 'FALSE'],
    ['x BETWEEN 1 + 1 AND 2 * 3', { x: '6' }, 'TRUE'],
    ['x BETWEEN -5 AND -1', { x: '-3' }, 'TRUE'],
    ["x BETWEEN 'a' AND 'c'", { x: 'b' }, 'TRUE'],
    ["x BETWEEN 'a' AND 'c'", { x: 'd' }, 'FALSE'],
    ['x BETWEEN 1 AND 5', { x: 'abc' }, 'UNKNOWN'],
    ['x BETWEEN 1 AND 5 AND y = 1', { x: '3', y: '1' }, 'TRUE'],
    ['x BETWEEN 1 AND 5 AND y = 1', { x: '3', y: '2' }, 'FALSE'],
  ])('bounds are inclusive; the first AND after BETWEEN belongs to it: %s with %j is %s', (s, p, e) => {
    expect(outcome(s, p)).toBe(e);
  });
});

describe('SQL92 selector: IN', () => {
  it.each<Case>([
    ["TAGS IN ('a', 'b')", {}, 'UNKNOWN'],
    ["region IN ('eu', 'us')", { region: 'us' }, 'TRUE'],
    ["region IN ('eu', 'us')", { region: 'ap' }, 'FALSE'],
    ["region NOT IN ('eu', 'us')", { region: 'ap' }, 'TRUE'],
    ["region IN ('EU')", { region: 'eu' }, 'FALSE'],
    ['n IN (1, 2, 3)', { n: '2.0' }, 'TRUE'],
    ['n IN (1, -2)', { n: '-2' }, 'TRUE'],
    ['n IN (1, 2)', { n: 'two' }, 'FALSE'],
    ["n IN ('2', 3)", { n: '2' }, 'TRUE'],
    ['1 + 1 IN (2)', {}, 'TRUE'],
    ['flag IN (TRUE)', { flag: 'true' }, 'TRUE'],
  ])('membership by the = rule of each literal: %s with %j is %s', (s, p, e) => {
    expect(outcome(s, p)).toBe(e);
  });
});

describe('SQL92 selector: LIKE', () => {
  it.each<Case>([
    ["s LIKE '100\\%' ESCAPE '\\'", { s: '100%' }, 'TRUE'],
    ["s LIKE '100\\%' ESCAPE '\\'", { s: '1000' }, 'FALSE'],
    ["s LIKE '100%'", { s: '1000' }, 'TRUE'],
    ["s LIKE 'a!_c' ESCAPE '!'", { s: 'a_c' }, 'TRUE'],
    ["s LIKE 'a!_c' ESCAPE '!'", { s: 'abc' }, 'FALSE'],
    ["s LIKE 'a\\\\b' ESCAPE '\\'", { s: 'a\\b' }, 'TRUE'],
    ["s LIKE 'a_c'", { s: 'abc' }, 'TRUE'],
    ["s LIKE 'a_c'", { s: 'ac' }, 'FALSE'],
    ["s LIKE 'a_c'", { s: 'abbc' }, 'FALSE'],
    ["s LIKE 'a_c'", { s: 'a\nc' }, 'TRUE'],
    ["s LIKE '_'", { s: '😀' }, 'TRUE'],
    ["s LIKE 'a%'", { s: 'abc' }, 'TRUE'],
    ["s LIKE '%c'", { s: 'abc' }, 'TRUE'],
    ["s LIKE '%b%'", { s: 'abc' }, 'TRUE'],
    ["s LIKE '%b%'", { s: 'xyz' }, 'FALSE'],
    ["s LIKE 'a%c%e'", { s: 'abcde' }, 'TRUE'],
    ["s LIKE 'a%c%e'", { s: 'abcd' }, 'FALSE'],
    ["s LIKE '%'", { s: '' }, 'TRUE'],
    ["s LIKE ''", { s: '' }, 'TRUE'],
    ["s LIKE 'abc'", { s: 'ABC' }, 'FALSE'],
    ["s LIKE 'a.c'", { s: 'abc' }, 'FALSE'],
    ["s LIKE '(a)+[b]'", { s: '(a)+[b]' }, 'TRUE'],
    ["s NOT LIKE 'a%'", { s: 'bcd' }, 'TRUE'],
    ["s NOT LIKE 'a%'", { s: 'abc' }, 'FALSE'],
    ["s LIKE 'a%'", {}, 'UNKNOWN'],
    ["s NOT LIKE 'a%'", {}, 'UNKNOWN'],
    ["n LIKE '1%'", { n: '123' }, 'TRUE'],
  ])('%% is any run, _ one character, ESCAPE makes them literal, regex characters are plain: %s with %j is %s', (s, p, e) => {
    expect(outcome(s, p)).toBe(e);
  });
});

describe('SQL92 selector: RocketMQ 5 string operators', () => {
  it.each<Case>([
    ["s CONTAINS 'bc'", { s: 'abcd' }, 'TRUE'],
    ["s NOT CONTAINS 'bc'", { s: 'abcd' }, 'FALSE'],
    ["s STARTSWITH 'ab'", { s: 'abcd' }, 'TRUE'],
    ["s ENDSWITH 'ab'", { s: 'abcd' }, 'FALSE'],
    ["s endswith 'cd'", { s: 'abcd' }, 'TRUE'],
    ["s CONTAINS 'x'", {}, 'UNKNOWN'],
    ["contains = 'yes'", { contains: 'yes' }, 'TRUE'],
  ])('CONTAINS / STARTSWITH / ENDSWITH, still usable as property names: %s with %j is %s', (s, p, e) => {
    expect(outcome(s, p)).toBe(e);
  });
});

describe('SQL92 selector: keywords and identifiers', () => {
  it.each<Case>([
    ["region = 'eu' and price > 10", { region: 'eu', price: '11' }, 'TRUE'],
    ["Region = 'eu' oR NoT price BeTwEeN 1 aNd 5", { price: '3' }, 'UNKNOWN'],
    ["region in ('eu') AND price between 1 and 20 AND x is null", { region: 'eu', price: '3' }, 'TRUE'],
    ["region not like 'u%' and x IS not NULL", { region: 'eu', x: '1' }, 'TRUE'],
    ['true AND NOT false', {}, 'TRUE'],
    ["s like 'a!%' escape '!'", { s: 'a%' }, 'TRUE'],
  ])('keywords are case-insensitive: %s with %j is %s', (s, p, e) => {
    expect(outcome(s, p)).toBe(e);
  });

  it('identifiers are case-sensitive', () => {
    expect(outcome("Region = 'eu'", { region: 'eu' })).toBe('UNKNOWN');
    expect(outcome("region = 'eu'", { region: 'eu' })).toBe('TRUE');
  });

  it('identifiers may contain dots, $ and _ (namespaced properties)', () => {
    expect(outcome("mqtt.qos = 1 AND $x = 'a' AND _y_1 = 'b'", { 'mqtt.qos': '1', $x: 'a', _y_1: 'b' })).toBe('TRUE');
  });
});
