/**
 * Time (DESIGN.md §3 Delayed messages, Expiry; §5 delay and TTL rows):
 *  - delayed delivery: messages published with a relative delay and with an absolute
 *    delivery time (both forms each protocol has: MQTT 5 and the kernel only the
 *    latter) reach a live subscriber no earlier than due, after an undelayed one
 *    published just behind them;
 *  - TTL: a subscriber receives a first message and goes away (MQTT persistent session
 *    offline, STOMP queue unsubscribed, no pop request, SSE group disconnected, webhook
 *    endpoint answering 503, kernel consumer stopped); meanwhile a message's TTL
 *    passes; back, it gets the message published after it with a long TTL, carrying
 *    that expiry in its own terms (MQTT 5 message expiry interval, STOMP `expires`,
 *    `expireAt`), and never the expired one.
 */
import { describe } from '../drivers/inbox.js';
import { sleep, type Received } from '../drivers/types.js';
import { GRACE_MS, TAG, type Aspect } from './aspect.js';

const DELAY_MS = 1_500;
/** node timers may fire a millisecond before the time asked for; more than this early is a violation */
const TIMER_SLACK_MS = 5;
const TTL_MS = 1_000;
const LONG_TTL_MS = 600_000;
/** MQTT 5 rounds the remaining interval up to whole seconds */
const EXPIRY_TOLERANCE_MS = 2_000;

const find = (items: readonly Received[], body: string): Received[] => items.filter((m) => m.body.toString('utf8') === body);

const delayed: Aspect = {
  name: 'delayed delivery', code: 'delay', pubNeeds: ['delay'], subNeeds: [], slow: true, timeoutMs: 20_000,
  async run(ctx) {
    const sub = await ctx.subscribe({ tag: TAG });
    const key = `delay-${ctx.code}`;
    const t0 = Date.now();
    await ctx.pub.publish({ topic: ctx.topic, tag: TAG, body: Buffer.from('relative'), delayMs: DELAY_MS, shardingKey: key });
    await ctx.pub.publish({ topic: ctx.topic, tag: TAG, body: Buffer.from('absolute'), deliverAt: t0 + DELAY_MS, shardingKey: key });
    await ctx.pub.publish({ topic: ctx.topic, tag: TAG, body: Buffer.from('immediate'), shardingKey: key });
    const all = ['relative', 'absolute', 'immediate'];
    await sub.inbox.until((items) => all.every((b) => find(items, b).length > 0), DELAY_MS + 8_000, 'the two delayed messages and the immediate one');
    await sleep(GRACE_MS);
    ctx.check.equal('deliveries', [...all].sort(), sub.inbox.items.map((m) => m.body.toString('utf8')).sort());
    const [now] = find(sub.inbox.items, 'immediate');
    const notes: string[] = [];
    for (const form of ['relative', 'absolute']) {
      const [late] = find(sub.inbox.items, form);
      ctx.check.that(`${form} delay`, late!.at >= t0 + DELAY_MS - TIMER_SLACK_MS, `the ${form} delayed message arrived ${late!.at - t0} ms after publishing, before its ${DELAY_MS} ms delay`);
      ctx.check.that(`${form} delay`, now!.at <= late!.at, `the undelayed message arrived after the ${form} delayed one`);
      notes.push(`${form} at +${late!.at - t0} ms`);
    }
    return notes.join(', ');
  },
};

const ttl: Aspect = {
  name: 'TTL expiry', code: 'ttl', pubNeeds: ['ttl'], subNeeds: [], slow: true, timeoutMs: 30_000,
  async run(ctx) {
    const sub = await ctx.subscribe({ tag: TAG, durable: true });
    const key = `ttl-${ctx.code}`;
    // a subscriber that has been receiving, as in life, not one that leaves the moment it subscribed
    await ctx.pub.publish({ topic: ctx.topic, tag: TAG, body: Buffer.from('before'), shardingKey: key });
    await sub.inbox.until((items) => find(items, 'before').length > 0, 10_000, 'the message before the absence');
    await sub.pause();
    const t0 = Date.now();
    await ctx.pub.publish({ topic: ctx.topic, tag: TAG, body: Buffer.from('expiring'), ttlMs: TTL_MS, shardingKey: key });
    await ctx.pub.publish({ topic: ctx.topic, tag: TAG, body: Buffer.from('lasting'), ttlMs: LONG_TTL_MS, shardingKey: key });
    // TTL passes while the subscriber is away (MQTT rounds the expiry up to whole seconds)
    await sleep(t0 + TTL_MS + 300 - Date.now());
    await sub.resume();
    // a webhook retries a refused delivery after 1 s, then 5 s
    await sub.inbox.until((items) => find(items, 'lasting').length > 0, 15_000, 'the message with the long TTL');
    await sleep(GRACE_MS * 2);
    const [expired] = find(sub.inbox.items, 'expiring');
    ctx.check.that('TTL', expired === undefined,
      `the expired message was delivered ${expired ? expired.at - t0 : 0} ms after publishing with ttl ${TTL_MS} ms (${expired ? describe(expired) : ''})`);
    ctx.check.equal('deliveries', ['before', 'lasting'], sub.inbox.items.map((m) => m.body.toString('utf8')));
    const [lasting] = find(sub.inbox.items, 'lasting');
    if (!ctx.sub.limits.expiry) {
      const expected = t0 + LONG_TTL_MS;
      ctx.check.that('expiry of the delivered message', lasting!.expiresAt !== undefined && Math.abs(lasting!.expiresAt - expected) <= EXPIRY_TOLERANCE_MS,
        `expected it to expire about ${new Date(expected).toISOString()} (publish + ${LONG_TTL_MS} ms), got ${lasting!.expiresAt === undefined ? 'no expiry' : new Date(lasting!.expiresAt).toISOString()}`);
    }
  },
};

export const timingAspects: Aspect[] = [delayed, ttl];
