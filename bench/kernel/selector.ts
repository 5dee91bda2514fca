/**
 * Filter evaluation cost: 1M in-memory StoredMessages run through a MessageFilter the
 * way the store applies it (tag-code pre-filter on the consume-queue entry, then the
 * message check), with no filter, a tag expression, and a 3-clause SQL92 selector.
 * Prints one JSON line per case, then a summary whose `ratio` is
 * sql92 msgs/s ÷ no-filter msgs/s.
 *
 *   npx tsx bench/kernel/selector.ts [--seconds 2] [--messages 1000000]
 */
import { compileFilter, type MessageFilter } from '../../src/kernel/broker/filter/message-filter.js';
import { FilterType } from '../../src/kernel/client/broker-api.js';
import type { StoredMessage } from '../../src/kernel/message/message.js';
import { tagHash } from '../../src/kernel/message/record-codec.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) || fallback : fallback;
}

const seconds = arg('--seconds', 2);
const count = arg('--messages', 1_000_000);
const SELECTOR = "region = 'eu' AND price > 10 AND TAGS IN ('a', 'b')";

const REGIONS = ['eu', 'us', 'ap'];
const TAGS = ['a', 'b', 'c', 'd'];
const PRICES = Array.from({ length: 50 }, (_, i) => String(i));
const body = Buffer.alloc(0);

function messageOf(i: number): StoredMessage {
  return {
    topic: 'orders',
    body,
    tag: TAGS[i % TAGS.length],
    keys: [`order-${i}`],
    properties: { region: REGIONS[i % REGIONS.length]!, price: PRICES[(i * 7) % PRICES.length]!, customer: `c${i % 1000}` },
    msgId: '',
    offsetMsgId: '',
    queueId: i % 8,
    queueOffset: i,
    commitLogOffset: i * 200,
    storeSize: 200,
    storeTimestamp: 1_700_000_000_000 + i,
    bornTimestamp: 1_700_000_000_000 + i,
    reconsumeTimes: 0,
    sysFlag: 0,
    flag: 0,
    preparedTransactionOffset: 0,
  };
}

const messages = Array.from({ length: count }, (_, i) => messageOf(i));
// what the consume queue holds for each entry
const tagsCodes = Int32Array.from(messages, (m) => tagHash(m.tag));

function expectedMatches(pick: (m: StoredMessage) => boolean): number {
  let n = 0;
  for (const m of messages) if (pick(m)) n++;
  return n;
}

function pass(filter: MessageFilter): number {
  let matched = 0;
  for (let i = 0; i < messages.length; i++) {
    if (filter.matchesTagsCode(tagsCodes[i]!) && filter.matchesMessage(messages[i]!)) matched++;
  }
  return matched;
}

interface CaseResult { msgsPerSec: number }

function run(name: string, filter: MessageFilter, expected: number): CaseResult {
  const warm = pass(filter);
  if (warm !== expected) throw new Error(`${name}: matched ${warm}, expected ${expected}`);
  let passes = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  do {
    pass(filter);
    passes++;
  } while (process.hrtime.bigint() < deadline);
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const msgsPerSec = Math.round((passes * messages.length) / secs);
  console.log(JSON.stringify({
    bench: 'selector', case: name, filter: filter.spec, messages: messages.length, matched: expected,
    passes, seconds: Number(secs.toFixed(3)), msgsPerSec, nsPerMsg: Number((1e9 / msgsPerSec).toFixed(1)),
  }));
  return { msgsPerSec };
}

const none = run('no-filter', compileFilter(), messages.length);
run('tag', compileFilter('a || b'), expectedMatches((m) => m.tag === 'a' || m.tag === 'b'));
const sql = run('sql92', compileFilter({ type: FilterType.Sql92, expression: SELECTOR }), expectedMatches(
  (m) => m.properties!.region === 'eu' && Number(m.properties!.price) > 10 && (m.tag === 'a' || m.tag === 'b'),
));
console.log(JSON.stringify({
  bench: 'selector', case: 'summary', ratioOf: 'sql92 msgs/s / no-filter msgs/s',
  ratio: Number((sql.msgsPerSec / none.msgsPerSec).toFixed(4)), node: process.version,
}));
