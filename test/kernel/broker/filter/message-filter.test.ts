import { FilterType, type FilterSpec } from '../../../../src/kernel/client/broker-api.js';
import { isKernelError, KernelErrorCode } from '../../../../src/kernel/errors.js';
import { compileFilter, type MessageFilter } from '../../../../src/kernel/broker/filter/message-filter.js';
import type { StoredMessage } from '../../../../src/kernel/message/message.js';
import { tagHash } from '../../../../src/kernel/message/record-codec.js';
import { storedMessage } from './stored-message.js';

/** What the store does with a filter: pre-filter on the entry's tag code, then confirm on the message. */
function deliver(filter: MessageFilter, messages: StoredMessage[]): StoredMessage[] {
  return messages.filter((m) => filter.matchesTagsCode(tagHash(m.tag)) && filter.matchesMessage(m));
}

function expectInvalid(spec: unknown, pattern: RegExp): void {
  try {
    compileFilter(spec as FilterSpec);
  } catch (err) {
    expect(isKernelError(err, KernelErrorCode.InvalidFilter)).toBe(true);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('filter compiled');
}

describe('compileFilter', () => {
  const a = storedMessage({ tag: 'a', properties: { region: 'eu', price: '20' } });
  const b = storedMessage({ tag: 'b', properties: { region: 'us', price: '5' } });
  const bb = storedMessage({ tag: 'BB', properties: { region: 'eu', price: '50' } });
  const untagged = storedMessage({ properties: { region: 'eu' } });
  const all = [a, b, bb, untagged];

  it('no spec selects everything, as tag expression *', () => {
    const f = compileFilter();
    expect(f.spec).toEqual({ type: FilterType.Tag, expression: '*' });
    expect(f.matchesAll).toBe(true);
    expect(deliver(f, all)).toEqual(all);
  });

  it('a string is a tag expression', () => {
    const f = compileFilter('a || BB');
    expect(f.spec).toEqual({ type: FilterType.Tag, expression: 'a || BB' });
    expect(f.matchesAll).toBe(false);
    expect(deliver(f, all)).toEqual([a, bb]);
  });

  it("a tag filter pre-filters on the hash and confirms the tag: 'Aa' does not deliver 'BB'", () => {
    const f = compileFilter({ type: FilterType.Tag, expression: 'Aa' });
    expect(f.matchesTagsCode(tagHash('BB'))).toBe(true);
    expect(f.matchesMessage(bb)).toBe(false);
    expect(deliver(f, all)).toEqual([]);
  });

  it('a tag filter reads a tag code stored unsigned or as a 64-bit value as the Java int hash', () => {
    const f = compileFilter('TagA');
    const code = tagHash('TagA');
    expect(f.matchesTagsCode(code >>> 0)).toBe(true);
    expect(f.matchesTagsCode(code + 2 ** 32)).toBe(true);
  });

  it('an SQL92 filter passes every tag code and decides on the message', () => {
    const f = compileFilter({ type: FilterType.Sql92, expression: "region = 'eu' AND price > 10 AND TAGS IN ('a', 'BB')" });
    expect(f.matchesAll).toBe(false);
    expect(f.matchesTagsCode(0)).toBe(true);
    expect(f.matchesTagsCode(-123456)).toBe(true);
    expect(deliver(f, all)).toEqual([a, bb]);
  });

  it('an SQL92 filter does not deliver a message for which the selector is UNKNOWN', () => {
    expect(deliver(compileFilter({ type: FilterType.Sql92, expression: 'price > 10' }), [untagged])).toEqual([]);
    expect(deliver(compileFilter({ type: FilterType.Sql92, expression: 'NOT (price > 10)' }), [untagged])).toEqual([]);
  });

  it('an empty SQL92 selector selects everything (JMS: no selector)', () => {
    const f = compileFilter({ type: FilterType.Sql92, expression: '' });
    expect(f.matchesAll).toBe(true);
    expect(deliver(f, all)).toEqual(all);
  });

  it('keeps the spec it was compiled from', () => {
    const spec = { type: FilterType.Sql92, expression: 'a = 1' };
    expect(compileFilter(spec).spec).toEqual(spec);
  });

  it('accepts the filter type in any case', () => {
    expect(compileFilter({ type: 'sql92', expression: 'a = 1' } as unknown as FilterSpec).spec.type).toBe(FilterType.Sql92);
  });

  it('refuses a selector with a syntax error as InvalidFilter', () => {
    expectInvalid({ type: FilterType.Sql92, expression: '(a = 1' }, /position 7: expected '\)'/);
  });

  it('refuses an invalid tag expression as InvalidFilter', () => {
    expectInvalid({ type: FilterType.Tag, expression: '||' }, /names no tag/);
  });

  it('refuses an unknown filter type or a spec without a string expression', () => {
    expectInvalid({ type: 'XPATH', expression: 'a' }, /unknown filter type 'XPATH'/);
    expectInvalid({ type: FilterType.Tag }, /string expression/);
    expectInvalid(null, /string expression/);
  });
});
