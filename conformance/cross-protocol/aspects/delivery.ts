/**
 * Who gets which message, in what order (DESIGN.md §3 Producer/Consumer groups, §5):
 *  - 1,000 messages with one sharding key arrive in publish order, none lost or doubled;
 *  - pub/sub: two independent subscriptions each get every message once;
 *  - point-to-point: two members of one group share the messages, each delivered to
 *    exactly one of them.
 */
import { eventually } from '../checks.js';
import { describe } from '../drivers/inbox.js';
import { sleep, type MessageSpec, type Received } from '../drivers/types.js';
import { GRACE_MS, TAG, type Aspect, type CellContext } from './aspect.js';

const ORDER_COUNT = 1_000;
const SPREAD_COUNT = 12;

const label = (i: number): string => `#${String(i).padStart(4, '0')}`;
const bodies = (items: readonly Received[]): string[] => items.map((m) => m.body.toString('utf8'));

/** messages over several sharding keys, so they spread over the topic's queues */
function spread(ctx: CellContext): MessageSpec[] {
  return Array.from({ length: SPREAD_COUNT }, (_, i) => ({
    topic: ctx.topic, tag: TAG, body: Buffer.from(label(i)), shardingKey: `k${i % 6}`,
  }));
}

function duplicates(items: readonly string[]): string[] {
  const seen = new Set<string>();
  return items.filter((b) => (seen.has(b) ? true : (seen.add(b), false)));
}

const order: Aspect = {
  name: 'order of 1,000 with one sharding key', code: 'order', pubNeeds: [], subNeeds: [], timeoutMs: 90_000,
  async run(ctx) {
    const sub = await ctx.subscribe({ tag: TAG, ordered: true });
    const specs = Array.from({ length: ORDER_COUNT }, (_, i) => ({
      topic: ctx.topic, tag: TAG, body: Buffer.from(label(i)), shardingKey: `seq-${ctx.code}`,
    }));
    const started = Date.now();
    await ctx.pub.publishAll(specs);
    await sub.inbox.take(ORDER_COUNT, 60_000);
    await sleep(GRACE_MS);
    const got = bodies(sub.inbox.items);
    const expected = specs.map((s) => s.body.toString('utf8'));
    const first = expected.findIndex((b, i) => got[i] !== b);
    const dups = duplicates(got);
    ctx.check.that('order', first < 0 && got.length === ORDER_COUNT,
      `delivery ${first + 1} is ${got[first] ?? 'missing'}, expected ${expected[first]} ` +
      `(received ${got.length}, ${dups.length} duplicates, around it: ${got.slice(Math.max(0, first - 2), first + 3).join(' ')})`);
    return `${ORDER_COUNT} in ${Date.now() - started} ms`;
  },
};

const pubSub: Aspect = {
  name: 'pub/sub', code: 'pubsub', pubNeeds: [], subNeeds: [], timeoutMs: 30_000,
  async run(ctx) {
    const a = await ctx.subscribe({ tag: TAG, member: 'A' });
    const b = await ctx.subscribe({ tag: TAG, member: 'B' });
    const specs = spread(ctx);
    for (const spec of specs) await ctx.pub.publish(spec);
    await Promise.all([a.inbox.take(SPREAD_COUNT), b.inbox.take(SPREAD_COUNT)]);
    await sleep(GRACE_MS);
    const expected = specs.map((s) => s.body.toString('utf8')).sort();
    ctx.check.equal('subscription A got every message once', expected, bodies(a.inbox.items).sort());
    ctx.check.equal('subscription B got every message once', expected, bodies(b.inbox.items).sort());
  },
};

const pointToPoint: Aspect = {
  name: 'point-to-point', code: 'p2p', pubNeeds: [], subNeeds: ['pointToPoint'], slow: true, timeoutMs: 30_000,
  async run(ctx) {
    const group = `cp-${ctx.code}`;
    const a = await ctx.subscribe({ tag: TAG, group, member: 'A' });
    const b = await ctx.subscribe({ tag: TAG, group, member: 'B' });
    // each member holds only its own queues once the group has rebalanced
    await sleep(ctx.sub.rebalanceMs);
    const specs = spread(ctx);
    for (const spec of specs) await ctx.pub.publish(spec);
    const all = (): Received[] => [...a.inbox.items, ...b.inbox.items];
    await eventually(() => new Set(bodies(all())).size >= SPREAD_COUNT, 15_000,
      `${SPREAD_COUNT} distinct messages over both members (have ${new Set(bodies(all())).size})`);
    await sleep(GRACE_MS * 2);
    const dups = duplicates(bodies(all()));
    const both = all().filter((m) => dups.includes(m.body.toString('utf8'))).map((m) => `${m.member}:${describe(m)}`);
    ctx.check.that('point-to-point', dups.length === 0, `${dups.length} message(s) delivered more than once in the group: ${both.slice(0, 6).join(', ')}`);
    ctx.check.equal('the group got every message exactly once', specs.map((s) => s.body.toString('utf8')).sort(), bodies(all()).sort());
    return `split A ${a.inbox.items.length} / B ${b.inbox.items.length}`;
  },
};

export const deliveryAspects: Aspect[] = [order, pubSub, pointToPoint];
