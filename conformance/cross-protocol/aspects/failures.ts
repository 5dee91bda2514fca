/**
 * Rejection (DESIGN.md §3 Retry and DLQ, §5 STOMP `NACK`):
 *  - redelivery after NACK: a rejected message comes back once, the same message (msgId,
 *    fields) marked as a redelivery where the protocol can say so;
 *  - dead-letter after repeated NACK: a message rejected on every delivery ends in the
 *    group's dead-letter topic with its fields intact, read back through the admin API
 *    (GET /v1/groups/{group}/dead-letters), and is delivered no more.
 */
import { checkFields, type Checks } from '../checks.js';
import { fromView, type DeadLetterView } from '../drivers/http-api.js';
import { sleep, type MessageSpec, type Published, type Received } from '../drivers/types.js';
import { fullSpec, GRACE_MS, TAG, TEXT_BODY, type Aspect } from './aspect.js';

function sameMessage(check: Checks, label: string, published: Published, m: Received): void {
  if (published.msgId !== undefined && m.msgId !== undefined) check.equal(`${label} msgId`, published.msgId, m.msgId);
}

const redelivery: Aspect = {
  name: 'redelivery after NACK', code: 'redeliver', pubNeeds: [], subNeeds: ['nack'], slow: true, timeoutMs: 40_000,
  async run(ctx) {
    let deliveries = 0;
    const sub = await ctx.subscribe({ tag: TAG, settle: () => (++deliveries === 1 ? 'nack' : 'ack') });
    const spec = fullSpec(ctx, TEXT_BODY);
    const published = await ctx.pub.publish(spec);
    const started = Date.now();
    // the server's first retry backoff (FAILURE_SERVER_CONFIG; 10 s by default, DESIGN.md §3) unless the client asks for less
    const [first, second] = await sub.inbox.take(2, 25_000);
    const after = second!.at - started;
    await sleep(GRACE_MS * 2);
    ctx.check.equal('deliveries (one NACKed, one acked)', 2, sub.inbox.items.length);
    checkFields(ctx.check, 'redelivered', spec, second!, ctx.pub.limits, ctx.sub.limits);
    sameMessage(ctx.check, 'first delivery', published, first!);
    if (first!.msgId !== undefined) ctx.check.equal('msgId of the redelivery', first!.msgId, second!.msgId);
    if (first!.redeliveries !== undefined) ctx.check.equal('redelivery count of the first delivery', 0, first!.redeliveries);
    if (second!.redeliveries !== undefined) ctx.check.equal('redelivery count of the redelivery', 1, second!.redeliveries);
    return `redelivered after ${after} ms`;
  },
};

/**
 * Server settings the matrix runs with (runtime config keys): the default retry limit,
 * which subscribers that cannot choose one (STOMP, HTTP pop) count on, and a short retry
 * backoff, so 17 deliveries take about two seconds instead of hours.
 */
export const FAILURE_SERVER_CONFIG = { maxReconsumeTimes: 16, retryBackoffMs: [100] } as const;

/** deliveries before the dead-letter topic, where the subscriber's protocol lets it choose */
const CHOSEN_DELIVERIES = 2;
const DEAD_LETTER_WAIT_MS = 45_000;

const deadLetter: Aspect = {
  name: 'dead-letter after repeated NACK', code: 'dlq', pubNeeds: [], subNeeds: ['nack', 'deadLetter'], slow: true, timeoutMs: 60_000,
  async run(ctx) {
    const sub = await ctx.subscribe({ tag: TAG, settle: () => 'nack', maxDeliveries: CHOSEN_DELIVERIES });
    const group = sub.group!;
    const spec: MessageSpec = fullSpec(ctx, TEXT_BODY);
    const published = await ctx.pub.publish(spec);
    const started = Date.now();
    let letters: DeadLetterView[] = [];
    while (Date.now() - started < DEAD_LETTER_WAIT_MS) {
      letters = await ctx.api.deadLetters(group);
      if (letters.length > 0) break;
      await sleep(250);
    }
    ctx.check.that('dead letter', letters.length > 0, `nothing in %DLQ%${group} ${Date.now() - started} ms after publishing; deliveries: ${sub.inbox.items.length}`);
    await sleep(GRACE_MS * 2);
    const deliveries = sub.inbox.items.length;
    const expected = ctx.sub.fixedDeliveries ?? CHOSEN_DELIVERIES;
    ctx.check.equal('deliveries before the dead-letter topic', expected, deliveries);
    ctx.check.equal('dead letters', 1, letters.length);
    const letter = letters[0]!;
    ctx.check.equal('origin topic of the dead letter', ctx.topic, letter.originTopic);
    // the dead letter as an HTTP client reads it: every field, whatever the subscriber could see
    checkFields(ctx.check, 'dead letter', spec, fromView(letter, 'admin'), ctx.pub.limits, {});
    if (published.msgId !== undefined) ctx.check.equal('origin msgId of the dead letter', published.msgId, letter.originMsgId ?? letter.msgId);
    for (const m of sub.inbox.items) sameMessage(ctx.check, 'delivery', published, m);
    return `${deliveries} deliveries, dead-lettered after ${Date.now() - started} ms`;
  },
};

export const failureAspects: Aspect[] = [redelivery, deadLetter];
