import { SubscriptionIndex } from '../../../src/adapters/mqtt/subscription-index.js';
import { topicFilterProblem, topicMatches, topicNameProblem } from '../../../src/adapters/mqtt/topic-filter.js';

describe('topic names and filters (§4.7)', () => {
  test('[MQTT-3.3.2-2] [MQTT-4.7.3-1] [MQTT-4.7.3-2] topic names: no wildcards, not empty, no U+0000', () => {
    expect(topicNameProblem('a/b')).toBeUndefined();
    expect(topicNameProblem('a/+')).toBeDefined();
    expect(topicNameProblem('a/#')).toBeDefined();
    expect(topicNameProblem('')).toBeDefined();
    expect(topicNameProblem('a\u0000b')).toBeDefined();
  });

  test('[MQTT-4.7.1-2] [MQTT-4.7.1-3] wildcards occupy whole levels, # only last', () => {
    for (const ok of ['#', '+', 'a/#', 'a/+/b', '+/+', '/#', 'a//b']) expect(topicFilterProblem(ok)).toBeUndefined();
    for (const bad of ['a#', 'a/#/b', 'a+', 'a/b+/c', '##', '']) expect(topicFilterProblem(bad)).toBeDefined();
  });

  test.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true], // [MQTT-4.7.1-2] # includes the parent level
    ['a/#', 'a/b/c', true],
    ['#', 'a/b', true],
    ['+/+', '/x', true],
    ['+', '/x', false],
    ['a/+/c', 'a//c', true],
    ['#', '$SYS/x', false], // [MQTT-4.7.2-1]
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/x', true],
    ['A/b', 'a/b', false], // [MQTT-4.7.3-4] no normalisation
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  test('the filter trie agrees with topicMatches', () => {
    const filters = ['a/b', 'a/+', 'a/#', '#', '+/b', '+/+/c', 'a/b/c', '$SYS/#', '/x', '+'];
    const topics = ['a', 'a/b', 'a/b/c', 'x/b', '$SYS/x', '/x', 'a//c', 'q'];
    const index = new SubscriptionIndex<string>();
    for (const f of filters) index.add(f, f);
    for (const t of topics) {
      const fromIndex = index.match(t).map((m) => m.value).sort();
      const expected = filters.filter((f) => topicMatches(f, t)).sort();
      expect({ topic: t, filters: fromIndex }).toEqual({ topic: t, filters: expected });
    }
    expect(index.remove('a/#', 'a/#')).toBe(true);
    expect(index.remove('a/#', 'a/#')).toBe(false);
    expect(index.match('a/b/c').map((m) => m.filter).sort()).toEqual(['#', '+/+/c', 'a/b/c']);
    expect(index.size).toBe(filters.length - 1);
  });
});
