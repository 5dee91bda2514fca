import { compileSelector } from '../../../../src/kernel/broker/filter/sql92-eval.js';
import { withProps } from './stored-message.js';

type Outcome = 'TRUE' | 'FALSE' | 'UNKNOWN';

function outcome(selector: string, props: Record<string, string> = {}, tag?: string): Outcome {
  const v = compileSelector(selector).evaluate(withProps(props, tag));
  return v === null ? 'UNKNOWN' : v ? 'TRUE' : 'FALSE';
}

describe('SQL92 selector: three-valued logic (JMS 1.1 §3.8.1.2)', () => {
  it.each<[string, Outcome]>([
    ['NULL = 1', 'UNKNOWN'],
    ['1 = NULL', 'UNKNOWN'],
    ['NULL = NULL', 'UNKNOWN'],
    ['NULL <> NULL', 'UNKNOWN'],
    ['NULL < 1', 'UNKNOWN'],
    ["missing = 'x'", 'UNKNOWN'],
    ["missing <> 'x'", 'UNKNOWN'],
    ['missing > 1', 'UNKNOWN'],
  ])('a comparison with NULL is UNKNOWN: %s', (selector, expected) => {
    expect(outcome(selector)).toBe(expected);
  });

  it.each<[string, Outcome]>([
    ['NOT NULL', 'UNKNOWN'],
    ['NOT (missing = 1)', 'UNKNOWN'],
    ['NOT NOT (missing = 1)', 'UNKNOWN'],
    ['NOT TRUE', 'FALSE'],
    ['NOT FALSE', 'TRUE'],
  ])('NOT UNKNOWN is UNKNOWN, NOT flips known values: %s', (selector, expected) => {
    expect(outcome(selector)).toBe(expected);
  });

  // Kleene truth tables, every order of operands
  it.each<[string, Outcome]>([
    ['TRUE AND TRUE', 'TRUE'],
    ['TRUE AND FALSE', 'FALSE'],
    ['FALSE AND TRUE', 'FALSE'],
    ['NULL AND FALSE', 'FALSE'],
    ['FALSE AND NULL', 'FALSE'],
    ['NULL AND TRUE', 'UNKNOWN'],
    ['TRUE AND NULL', 'UNKNOWN'],
    ['NULL AND NULL', 'UNKNOWN'],
    ['FALSE OR FALSE', 'FALSE'],
    ['TRUE OR FALSE', 'TRUE'],
    ['NULL OR TRUE', 'TRUE'],
    ['TRUE OR NULL', 'TRUE'],
    ['NULL OR FALSE', 'UNKNOWN'],
    ['FALSE OR NULL', 'UNKNOWN'],
    ['NULL OR NULL', 'UNKNOWN'],
  ])('AND/OR truth table: %s is %s', (selector, expected) => {
    expect(outcome(selector)).toBe(expected);
  });

  it('unknown OR true is true and unknown AND false is false with a missing property', () => {
    expect(outcome("missing = 1 OR region = 'eu'", { region: 'eu' })).toBe('TRUE');
    expect(outcome("missing = 1 AND region = 'us'", { region: 'eu' })).toBe('FALSE');
    expect(outcome("missing = 1 AND region = 'eu'", { region: 'eu' })).toBe('UNKNOWN');
  });

  it('AND binds tighter than OR, NOT tighter than AND', () => {
    expect(outcome('TRUE OR TRUE AND FALSE')).toBe('TRUE');
    expect(outcome('(TRUE OR TRUE) AND FALSE')).toBe('FALSE');
    expect(outcome('NOT FALSE AND FALSE')).toBe('FALSE');
    expect(outcome('NOT (FALSE AND FALSE)')).toBe('TRUE');
  });

  it('a selector matches only when it is TRUE, never when UNKNOWN or negated UNKNOWN', () => {
    const m = withProps({});
    expect(compileSelector('missing = 1').matches(m)).toBe(false);
    expect(compileSelector('NOT (missing = 1)').matches(m)).toBe(false);
    expect(compileSelector('missing IS NULL').matches(m)).toBe(true);
  });
});

describe('SQL92 selector: IS [NOT] NULL', () => {
  it.each<[string, Record<string, string>, Outcome]>([
    ['a IS NULL', {}, 'TRUE'],
    ['a IS NULL', { a: 'x' }, 'FALSE'],
    ['a IS NULL', { a: '' }, 'FALSE'],
    ['a IS NOT NULL', {}, 'FALSE'],
    ['a IS NOT NULL', { a: '' }, 'TRUE'],
    ['NOT a IS NULL', { a: '1' }, 'TRUE'],
    ['(a + 1) IS NULL', { a: 'abc' }, 'TRUE'],
    ['(a + 1) IS NULL', { a: '2' }, 'FALSE'],
    ['(a = 1) IS NULL', {}, 'TRUE'],
  ])('%s with %j is %s (an empty string is not NULL; NULL arithmetic is NULL)', (selector, props, expected) => {
    expect(outcome(selector, props)).toBe(expected);
  });

  it('IS NULL never yields UNKNOWN, so NOT over it is two-valued', () => {
    expect(outcome('NOT (a IS NULL)')).toBe('FALSE');
  });
});

describe('SQL92 selector: IN / NOT IN with NULL', () => {
  it.each<[string, Record<string, string>, Outcome]>([
    ["a IN ('x', 'y')", {}, 'UNKNOWN'],
    ["a NOT IN ('x', 'y')", {}, 'UNKNOWN'],
    ["a IN ('x', NULL)", { a: 'x' }, 'TRUE'],
    ["a IN ('x', NULL)", { a: 'z' }, 'UNKNOWN'],
    ["a NOT IN ('x', NULL)", { a: 'x' }, 'FALSE'],
    ["a NOT IN ('x', NULL)", { a: 'z' }, 'UNKNOWN'],
    ["a NOT IN ('x', 'y')", { a: 'z' }, 'TRUE'],
  ])('%s with %j is %s', (selector, props, expected) => {
    expect(outcome(selector, props)).toBe(expected);
  });
});

describe('SQL92 selector: BETWEEN with NULL', () => {
  it.each<[string, Record<string, string>, Outcome]>([
    ['x BETWEEN 1 AND 5', {}, 'UNKNOWN'],
    ['x NOT BETWEEN 1 AND 5', {}, 'UNKNOWN'],
    ['x BETWEEN 1 AND NULL', { x: '3' }, 'UNKNOWN'],
    ['x BETWEEN 1 AND NULL', { x: '0' }, 'FALSE'],
    ['x NOT BETWEEN 1 AND NULL', { x: '0' }, 'TRUE'],
  ])('%s with %j is %s (x >= low AND x <= high in Kleene logic)', (selector, props, expected) => {
    expect(outcome(selector, props)).toBe(expected);
  });
});

describe('SQL92 selector: properties in a condition', () => {
  it.each<[string, Record<string, string>, Outcome]>([
    ['flag', { flag: 'true' }, 'TRUE'],
    ['flag', { flag: 'FALSE' }, 'FALSE'],
    ['flag', { flag: 'True' }, 'TRUE'],
    ['flag', { flag: 'yes' }, 'UNKNOWN'],
    ['flag', {}, 'UNKNOWN'],
    ['NOT flag', { flag: 'false' }, 'TRUE'],
    ['flag = TRUE', { flag: 'true' }, 'TRUE'],
    ['flag = FALSE', { flag: 'yes' }, 'FALSE'],
    ['flag <> TRUE', { flag: 'false' }, 'TRUE'],
    ["flag AND region = 'eu'", { flag: 'true', region: 'eu' }, 'TRUE'],
    ['(1 < 2) = TRUE', {}, 'TRUE'],
  ])("%s with %j is %s ('true'/'false' text in any case is boolean)", (selector, props, expected) => {
    expect(outcome(selector, props)).toBe(expected);
  });
});
