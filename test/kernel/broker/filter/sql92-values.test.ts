import { likeMatcher, textToBoolean, textToNumber } from '../../../../src/kernel/broker/filter/sql92-values.js';

describe('SQL92 values: property text as a number', () => {
  it.each<[string, number]>([
    ['0', 0], ['7', 7], ['007', 7], ['123456789012345', 123456789012345], ['1234567890123456', 1234567890123456],
    ['-5', -5], ['+5', 5], ['1.5', 1.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['-2.5E-1', -0.25],
  ])('%j is the number %d', (text, n) => {
    expect(textToNumber(text)).toBe(n);
  });

  it.each([[''], [' 1'], ['1 '], ['0x10'], ['1_000'], ['Infinity'], ['NaN'], ['1e'], ['--1'], ['.'], ['1,5'], ['١٢']])(
    '%j is not a number',
    (text) => {
      expect(textToNumber(text)).toBeUndefined();
    },
  );

  it.each<[string, boolean | null]>([
    ['true', true], ['TRUE', true], ['tRuE', true], ['false', false], ['False', false], ['yes', null], ['1', null], ['', null],
  ])('%j as a condition is %s', (text, b) => {
    expect(textToBoolean(text)).toBe(b);
  });
});

describe('SQL92 values: LIKE shortcuts agree with the general matcher', () => {
  // reference: LIKE as an anchored regular expression, no shortcuts
  function reference(pattern: string): RegExp {
    const src = [...pattern].map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c)).join('');
    return new RegExp(`^${src}$`, 'su');
  }

  it('matches a reference regex on every pattern and input over {a, b, %, _} up to length 4', () => {
    const words = (alphabet: string[], max: number): string[] => {
      const out = [''];
      for (let len = 1; len <= max; len++) {
        for (const w of out.filter((x) => x.length === len - 1)) for (const c of alphabet) out.push(w + c);
      }
      return out;
    };
    const inputs = words(['a', 'b'], 4);
    let checked = 0;
    for (const pattern of words(['a', 'b', '%', '_'], 4)) {
      const like = likeMatcher(pattern, undefined, 1);
      const re = reference(pattern);
      for (const input of inputs) {
        expect([pattern, input, like(input)]).toEqual([pattern, input, re.test(input)]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
