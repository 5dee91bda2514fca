import { EMPTY_LEVEL_TOPIC, interestOf, interestProblem, isSpannableTopic, kernelAddressOf, mqttTopicOf, tagExpression, tagOf } from '../../../src/adapters/mqtt/topic-map.js';
import { isKernelError, KernelErrorCode } from '../../../src/kernel/index.js';

describe('MQTT topic → kernel address (DESIGN.md §5)', () => {
  test.each([
    ['orders', { topic: 'orders' }],
    ['orders/created', { topic: 'orders', tag: 'created' }],
    ['orders/created/eu', { topic: 'orders', tag: 'created', path: 'orders/created/eu' }],
    ['orders/', { topic: 'orders', path: 'orders/' }],
    ['/devices/x', { topic: EMPTY_LEVEL_TOPIC, tag: 'devices', path: '/devices/x' }],
    ['a/*', { topic: 'a', path: 'a/*' }],
    ['a/x||y/z', { topic: 'a', path: 'a/x||y/z' }],
  ])('%s', (mqtt, address) => {
    expect(kernelAddressOf(mqtt)).toEqual(address);
    expect(mqttTopicOf(kernelAddressOf(mqtt))).toBe(mqtt);
  });

  test('a level 1 the kernel cannot name is refused with InvalidTopic', () => {
    for (const bad of ['$SYS/x', '%RETRY%g', 'x'.repeat(128), 'a\u0001b']) {
      let err: unknown;
      try {
        kernelAddressOf(bad);
      } catch (e) {
        err = e;
      }
      expect(isKernelError(err, KernelErrorCode.InvalidTopic)).toBe(true);
    }
  });

  test('a message without path appears as topic[/tag]; a path that disagrees is ignored', () => {
    expect(mqttTopicOf({ topic: 'orders' })).toBe('orders');
    expect(mqttTopicOf({ topic: 'orders', tag: 'created' })).toBe('orders/created');
    expect(mqttTopicOf({ topic: 'orders', tag: 'created', path: 'orders/created/eu/1' })).toBe('orders/created/eu/1');
    expect(mqttTopicOf({ topic: 'orders', tag: 'created', path: '/topic/orders/created' })).toBe('orders/created');
    expect(mqttTopicOf({ topic: 'orders', tag: 'created', path: 'orders/updated/x' })).toBe('orders/created');
  });

  test('tags: only what a tag expression can name exactly', () => {
    expect(tagOf('created')).toBe('created');
    for (const bad of ['', '*', 'a||b', ' a', 'a ', 'x\u0002']) expect(tagOf(bad)).toBeUndefined();
  });
});

describe('MQTT filter → kernel interest', () => {
  test.each([
    ['orders', { allTopics: false, topic: 'orders', tag: '*' }],
    ['orders/created', { allTopics: false, topic: 'orders', tag: 'created' }],
    ['orders/created/#', { allTopics: false, topic: 'orders', tag: 'created' }],
    ['orders/+/eu', { allTopics: false, topic: 'orders', tag: '*' }],
    ['orders/#', { allTopics: false, topic: 'orders', tag: '*' }],
    ['+/created', { allTopics: true, tag: 'created' }],
    ['#', { allTopics: true, tag: '*' }],
    ['/devices/#', { allTopics: false, topic: EMPTY_LEVEL_TOPIC, tag: 'devices' }],
  ])('%s', (filter, interest) => {
    expect(interestOf(filter)).toEqual(interest);
  });

  test('level-1 wildcards span user topics only [MQTT-4.7.2-1]', () => {
    expect(isSpannableTopic('orders')).toBe(true);
    for (const t of ['$mqtt-retained', '%RETRY%g', '%DLQ%g', 'SCHEDULE_TOPIC_XXXX', 'RMQ_SYS_TRANS_HALF_TOPIC', 'rmq_sys_x']) expect(isSpannableTopic(t)).toBe(false);
    expect(interestProblem('$SYS/#')).toBeDefined();
    expect(interestProblem('#')).toBeUndefined();
  });

  test('tag expressions combine, * absorbs', () => {
    expect(tagExpression(['b', 'a', 'b'])).toBe('a || b');
    expect(tagExpression(['a', '*'])).toBe('*');
    expect(tagExpression([])).toBe('*');
  });
});
