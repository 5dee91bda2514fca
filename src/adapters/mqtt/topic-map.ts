/**
 * MQTT topic / filter ↔ kernel topic + tag (DESIGN.md §5), Artemis' MQTTUtil for us.
 *
 *   MQTT `orders/created/eu`  →  kernel topic `orders`, tag `created`, path `orders/created/eu`
 *   MQTT `orders/created`     →  topic `orders`, tag `created` (no path: topic/tag rebuilds it)
 *   MQTT `orders`             →  topic `orders`
 *   MQTT `/devices/x`         →  topic `_` (EMPTY_LEVEL_TOPIC), tag `devices`, path `/devices/x`
 *
 * A kernel message appears to MQTT as its `path` when the path agrees with its topic and
 * tag, else as `topic[/tag]`. Level 2 becomes the tag only when a tag expression can name
 * it exactly (see `tagOf`); otherwise the message has no tag and the path carries the level.
 * A filter maps to the kernel topics it can match (one, or every user topic for a
 * wildcard at level 1) and a tag expression that pre-filters in the consume queue; the
 * gateway always confirms with full MQTT matching (topic-filter.ts), so levels 3+ match
 * exactly as MQTT says.
 */
import { KernelError, KernelErrorCode } from '../../kernel/index.js';

/** the kernel topic of MQTT topics whose first level is empty (`/a/b`) */
export const EMPTY_LEVEL_TOPIC = '_';
/** kernel topic names: UTF-8, at most 127 bytes, no `/ + #` or control characters (DESIGN.md §3) */
export const MAX_KERNEL_TOPIC_BYTES = 127;
// eslint-disable-next-line no-control-regex
const KERNEL_FORBIDDEN = /[/+#\u0000-\u001f\u007f]/;
/** longest level-2 value that becomes a tag */
const MAX_TAG_BYTES = 255;

export interface KernelAddress {
  topic: string;
  tag?: string;
  /** set only when the MQTT topic has more than topic/tag to say */
  path?: string;
}

/** kernel topics a level-1 wildcard must not span: RocketMQ system, retry and DLQ topics, `$` topics */
export function isSpannableTopic(topic: string): boolean {
  if (topic.startsWith('$') || topic.startsWith('%')) return false; // [MQTT-4.7.2-1], %RETRY% %DLQ%
  if (topic.startsWith('rmq_sys_') || topic.startsWith('RMQ_SYS_')) return false;
  return topic !== 'SCHEDULE_TOPIC_XXXX' && topic !== 'TBW102' && topic !== 'OFFSET_MOVED_EVENT';
}

/** undefined when `level` may name a kernel topic */
export function kernelTopicProblem(level: string): string | undefined {
  if (Buffer.byteLength(level) > MAX_KERNEL_TOPIC_BYTES) return `first level is longer than ${MAX_KERNEL_TOPIC_BYTES} bytes`;
  const bad = KERNEL_FORBIDDEN.exec(level);
  if (bad) return `first level contains the control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')}`;
  if (!isSpannableTopic(level)) return `first level ${JSON.stringify(level)} is reserved`;
  return undefined;
}

/** the kernel topic of a first level (empty → EMPTY_LEVEL_TOPIC) */
export function kernelTopicOf(level: string): string {
  return level === '' ? EMPTY_LEVEL_TOPIC : level;
}

/** the tag for a level-2 value, or undefined when a tag expression could not name it exactly */
export function tagOf(level: string | undefined): string | undefined {
  if (level === undefined || level === '' || level === '*') return undefined;
  if (level.includes('||') || level.trim() !== level || Buffer.byteLength(level) > MAX_TAG_BYTES) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(level)) return undefined;
  return level;
}

function splitFirst(topic: string): { first: string; second?: string; rest: boolean } {
  const a = topic.indexOf('/');
  if (a === -1) return { first: topic, rest: false };
  const b = topic.indexOf('/', a + 1);
  if (b === -1) return { first: topic.slice(0, a), second: topic.slice(a + 1), rest: false };
  return { first: topic.slice(0, a), second: topic.slice(a + 1, b), rest: true };
}

/** the kernel address of a (valid) MQTT topic name; throws KernelError InvalidTopic when level 1 cannot be a kernel topic */
export function kernelAddressOf(mqttTopic: string): KernelAddress {
  const { first, second, rest } = splitFirst(mqttTopic);
  const problem = first === '' ? undefined : kernelTopicProblem(first);
  if (problem) throw new KernelError(KernelErrorCode.InvalidTopic, `MQTT topic ${JSON.stringify(mqttTopic)}: ${problem}`);
  const topic = kernelTopicOf(first);
  const tag = tagOf(second);
  const address: KernelAddress = { topic };
  if (tag !== undefined) address.tag = tag;
  const rebuilt = tag === undefined ? (second === undefined ? first : undefined) : `${first}/${tag}`;
  if (first === '' || rest || rebuilt !== mqttTopic) address.path = mqttTopic;
  return address;
}

/** the MQTT topic a kernel message appears under */
export function mqttTopicOf(message: { topic: string; tag?: string; path?: string }): string {
  const { path, topic, tag } = message;
  if (path !== undefined && path.length > 0 && pathAgrees(path, topic, tag)) return path;
  return tag === undefined || tag === '' ? topic : `${topic}/${tag}`;
}

function pathAgrees(path: string, topic: string, tag: string | undefined): boolean {
  const { first, second } = splitFirst(path);
  if (kernelTopicOf(first) !== topic) return false;
  return tag === undefined || tag === '' || second === tag;
}

/** what part of the kernel a (non-shared) MQTT filter can match */
export interface KernelInterest {
  /** the filter's first level is a wildcard: every spannable kernel topic, including future ones */
  allTopics: boolean;
  /** the one kernel topic when not allTopics */
  topic?: string;
  /** tag expression: a tag, or `*` */
  tag: string;
}

export function interestOf(filter: string): KernelInterest {
  const { first, second, rest } = splitFirst(filter);
  let tag = '*';
  if (second !== undefined && second !== '+' && second !== '#') {
    const t = tagOf(second);
    // a message `a/b` has tag b; `a/b/#` also matches `a/b`; neither matches a message without tag
    if (t !== undefined) tag = t;
  }
  if (second === undefined && !rest && first !== '#') tag = '*'; // filter `a` matches the tagless message `a`
  if (first === '+' || first === '#') return { allTopics: true, tag };
  return { allTopics: false, topic: kernelTopicOf(first), tag };
}

/** a filter whose first level can never name a kernel topic matches nothing (but is still a valid MQTT filter) */
export function interestProblem(filter: string): string | undefined {
  const { first } = splitFirst(filter);
  if (first === '+' || first === '#' || first === '') return undefined;
  return kernelTopicProblem(first);
}

/** one tag expression for several tags on one kernel topic (`a || b`, or `*` when any is `*`) */
export function tagExpression(tags: Iterable<string>): string {
  const set = new Set<string>();
  for (const t of tags) {
    if (t === '*') return '*';
    set.add(t);
  }
  return set.size === 0 ? '*' : [...set].sort().join(' || ');
}
