/**
 * Filters, in each subscriber's own terms (DESIGN.md §3 Filters, §5):
 *  - MQTT: topic filters with `+` and `#` over levels 2 and 3+ of the full path;
 *  - STOMP: a `selector` on a `/topic/<topic>/<tag>` destination, and a destination
 *    with a third level, which takes messages of exactly that path (JMS destinations
 *    are names, not patterns; DESIGN.md §5 "same path rules");
 *  - HTTP SSE and the kernel client: a SQL92 selector over TAGS and a property;
 *  - HTTP pop and webhooks: a tag expression `a || b`.
 * The selector tests the property `region`, or for MQTT 3.1.1 publishers (which have
 * no properties) the namespaced `mqtt.qos` the MQTT adapter stores with every message.
 * All publications share one sharding key (one queue), the last one is expected by
 * the first subscription, and a grace period follows the last expected arrival.
 */
import { describe } from '../drivers/inbox.js';
import { fullPath, sleep, type MessageSpec, type SubscribeOptions } from '../drivers/types.js';
import { GRACE_MS, type Aspect, type CellContext } from './aspect.js';

interface Publication {
  label: string;
  tag?: string;
  levels?: string[];
  region?: string;
  qos?: 0 | 1;
}

interface FilterCase {
  publications: Publication[];
  subscriptions: Array<{ options: Omit<SubscribeOptions, 'topic'>; expected: string[] }>;
}

function mqttCase(ctx: CellContext): FilterCase {
  return {
    publications: [
      { label: 'a/eu', tag: 'a', levels: ['eu'] },
      { label: 'a/us', tag: 'a', levels: ['us'] },
      { label: 'b/us', tag: 'b', levels: ['us'] },
      { label: 'b', tag: 'b' },
      { label: 'c/eu/x', tag: 'c', levels: ['eu', 'x'] },
      { label: 'b/eu', tag: 'b', levels: ['eu'] },
    ],
    subscriptions: [
      { options: { filter: { kind: 'mqtt', filter: `${ctx.topic}/+/eu` }, member: '+/eu' }, expected: ['a/eu', 'b/eu'] },
      // [MQTT-4.7.1-2] `b/#` also matches the parent `b`
      { options: { filter: { kind: 'mqtt', filter: `${ctx.topic}/b/#` }, member: 'b/#' }, expected: ['b', 'b/eu', 'b/us'] },
    ],
  };
}

function selectorCase(ctx: CellContext): FilterCase {
  const byRegion = !ctx.pub.limits.properties;
  const matchOn = byRegion ? "region = 'eu'" : "mqtt.qos = '1'";
  const publications: Publication[] = byRegion
    ? [
      { label: 'a-us', tag: 'a', region: 'us' }, { label: 'a-none', tag: 'a' }, { label: 'b-eu', tag: 'b', region: 'eu' },
      { label: 'c-eu', tag: 'c', region: 'eu' }, { label: 'a/x-eu', tag: 'a', levels: ['x'], region: 'eu' }, { label: 'a-eu', tag: 'a', region: 'eu' },
    ]
    : [
      { label: 'a-q0', tag: 'a', qos: 0 }, { label: 'b-q1', tag: 'b', qos: 1 }, { label: 'c-q1', tag: 'c', qos: 1 },
      { label: 'a/x-q1', tag: 'a', levels: ['x'], qos: 1 }, { label: 'a-q1', tag: 'a', qos: 1 },
    ];
  const wanted = byRegion ? ['a-eu', 'b-eu'] : ['a-q1', 'b-q1'];
  if (ctx.sub.name === 'STOMP') {
    return {
      publications,
      subscriptions: [
        { options: { filter: { kind: 'selector', selector: matchOn, tag: 'a' }, member: 'selector' }, expected: wanted.filter((l) => l.startsWith('a')) },
        { options: { filter: { kind: 'destination', levels: ['a', 'x'] }, member: 'a/x' }, expected: [byRegion ? 'a/x-eu' : 'a/x-q1'] },
      ],
    };
  }
  // levels below the tag do not matter to a selector: `a/x` is tag `a` too
  const deeper = byRegion ? 'a/x-eu' : 'a/x-q1';
  return { publications, subscriptions: [{ options: { filter: { kind: 'selector', selector: `TAGS IN ('a', 'b') AND ${matchOn}` } }, expected: [...wanted, deeper] }] };
}

function tagCase(): FilterCase {
  return {
    publications: [{ label: 'c', tag: 'c' }, { label: '(none)' }, { label: 'b', tag: 'b' }, { label: 'a/eu', tag: 'a', levels: ['eu'] }, { label: 'a', tag: 'a' }],
    subscriptions: [{ options: { filter: { kind: 'tags', expression: 'a || b' } }, expected: ['a', 'a/eu', 'b'] }],
  };
}

function caseFor(ctx: CellContext): FilterCase {
  switch (ctx.sub.name) {
    case 'MQTT 3.1.1':
    case 'MQTT 5':
      return mqttCase(ctx);
    case 'STOMP':
    case 'HTTP SSE':
    case 'kernel client':
    case 'RocketMQ':
      return selectorCase(ctx);
    case 'HTTP pop':
    case 'HTTP webhook':
      return tagCase();
  }
}

function specOf(ctx: CellContext, p: Publication): MessageSpec {
  const spec: MessageSpec = { topic: ctx.topic, body: Buffer.from(p.label), shardingKey: `filter-${ctx.code}` };
  if (p.tag !== undefined) spec.tag = p.tag;
  if (p.levels) spec.levels = p.levels;
  if (p.region !== undefined) spec.properties = { region: p.region };
  if (p.qos !== undefined) spec.qos = p.qos;
  return spec;
}

const filters: Aspect = {
  name: 'filters', code: 'filter', pubNeeds: [], subNeeds: [], timeoutMs: 30_000,
  async run(ctx) {
    const c = caseFor(ctx);
    const subs = [];
    for (const s of c.subscriptions) subs.push({ ...s, sub: await ctx.subscribe(s.options) });
    const specs = c.publications.map((p) => specOf(ctx, p));
    for (const spec of specs) await ctx.pub.publish(spec);
    await Promise.all(subs.map((s) => s.sub.inbox.take(s.expected.length)));
    await sleep(GRACE_MS);
    for (const s of subs) {
      const what = s.options.filter?.kind === 'mqtt' ? s.options.filter.filter : JSON.stringify(s.options.filter);
      ctx.check.equal(`messages through ${what}`, [...s.expected].sort(), s.sub.inbox.items.map((m) => m.body.toString('utf8')).sort());
      for (const m of s.sub.inbox.items) {
        const spec = specs.find((x) => x.body.equals(m.body));
        if (spec) ctx.check.equal(`full path of ${describe(m)}`, fullPath(spec), m.path);
      }
    }
  },
};

export const filterAspects: Aspect[] = [filters];
