import { isKernelError, KernelErrorCode } from '../../../../src/kernel/errors.js';
import { parseTagExpression } from '../../../../src/kernel/broker/filter/tag-expression.js';
import { tagHash } from '../../../../src/kernel/message/record-codec.js';

describe('tag expression', () => {
  it.each([['*'], [''], ['   '], [' * '], [undefined]])('%j selects every message, tagged or not', (expr) => {
    const t = parseTagExpression(expr);
    expect(t.all).toBe(true);
    expect(t.tags.size).toBe(0);
    expect(t.matchesTagsCode(12345)).toBe(true);
    expect(t.matchesTag('anything')).toBe(true);
    expect(t.matchesTag(undefined)).toBe(true);
  });

  it('a || b || c names exactly those tags', () => {
    const t = parseTagExpression('a || b || c');
    expect(t.all).toBe(false);
    expect([...t.tags]).toEqual(['a', 'b', 'c']);
    expect(t.matchesTag('b')).toBe(true);
    expect(t.matchesTag('d')).toBe(false);
  });

  it.each([['a||b||c'], ['  a ||b||   c  '], ['\ta\t||\nb || c']])('tolerates any whitespace around tags: %j', (expr) => {
    expect([...parseTagExpression(expr).tags]).toEqual(['a', 'b', 'c']);
  });

  it('skips empty alternatives as RocketMQ does', () => {
    expect([...parseTagExpression('a || || b ||').tags]).toEqual(['a', 'b']);
  });

  it('keeps blanks inside a tag and compares tags case-sensitively', () => {
    const t = parseTagExpression('tag one || A');
    expect(t.matchesTag('tag one')).toBe(true);
    expect(t.matchesTag('a')).toBe(false);
  });

  it('an untagged message matches no tag list', () => {
    expect(parseTagExpression('a || b').matchesTag(undefined)).toBe(false);
  });

  it('pre-filter codes are the Java String.hashCode of each tag', () => {
    const t = parseTagExpression('TagA || Aa');
    expect([...t.codes]).toEqual([tagHash('TagA'), 2112]);
    expect(t.matchesTagsCode(tagHash('TagA'))).toBe(true);
    expect(t.matchesTagsCode(tagHash('TagB'))).toBe(false);
  });

  it("hash collisions pass the pre-filter and are rejected by the exact check ('Aa' and 'BB' share 2112)", () => {
    expect(tagHash('Aa')).toBe(tagHash('BB'));
    const t = parseTagExpression('Aa');
    expect(t.matchesTagsCode(tagHash('BB'))).toBe(true);
    expect(t.matchesTag('BB')).toBe(false);
    expect(t.matchesTag('Aa')).toBe(true);
  });

  it("a '*' among alternatives selects everything (RocketMQ would look for the literal tag '*')", () => {
    expect(parseTagExpression('a || *').all).toBe(true);
  });

  it.each([['||'], [' || || ']])('%j names no tag and is refused', (expr) => {
    try {
      parseTagExpression(expr);
      throw new Error('accepted');
    } catch (err) {
      expect(isKernelError(err, KernelErrorCode.InvalidFilter)).toBe(true);
      expect((err as Error).message).toMatch(/names no tag/);
    }
  });

  it("a single '|' is refused rather than read as part of a tag", () => {
    expect(() => parseTagExpression('a | b')).toThrow(/single '\|' in 'a \| b'/);
  });
});
