/**
 * MQTT topic names and topic filters (spec §4.7): validation and matching. Pure
 * functions on strings; the kernel mapping is topic-map.ts.
 */

/** topic names and filters are UTF-8 strings of at most 65535 bytes [MQTT-4.7.3-3] */
const MAX_TOPIC_BYTES = 65_535;

/** undefined when `name` is a valid topic name for PUBLISH, else the problem */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'topic name is empty'; // [MQTT-4.7.3-1]
  if (name.includes('+') || name.includes('#')) return 'topic name contains a wildcard'; // [MQTT-3.3.2-2]
  if (name.includes('\u0000')) return 'topic name contains U+0000'; // [MQTT-4.7.3-2]
  if (Buffer.byteLength(name) > MAX_TOPIC_BYTES) return 'topic name is longer than 65535 bytes'; // [MQTT-4.7.3-3]
  return undefined;
}

/** undefined when `filter` is a valid topic filter for SUBSCRIBE, else the problem */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'topic filter is empty'; // [MQTT-4.7.3-1]
  if (filter.includes('\u0000')) return 'topic filter contains U+0000'; // [MQTT-4.7.3-2]
  if (Buffer.byteLength(filter) > MAX_TOPIC_BYTES) return 'topic filter is longer than 65535 bytes';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return "'#' must be the last level and alone in it"; // [MQTT-4.7.1-2]
    }
    if (level.includes('+') && level !== '+') return "'+' must occupy a whole level"; // [MQTT-4.7.1-3]
  }
  return undefined;
}

export function isWildcardFilter(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

/**
 * Whether `topic` matches `filter`. `#` matches the parent level too [MQTT-4.7.1-2];
 * a filter starting with a wildcard does not match topics starting with `$` [MQTT-4.7.2-1].
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  let f = 0;
  let t = 0;
  for (;;) {
    const fEnd = filter.indexOf('/', f);
    const fLevel = fEnd === -1 ? filter.slice(f) : filter.slice(f, fEnd);
    if (fLevel === '#') return true;
    if (t > topic.length) return false; // topic ran out of levels
    const tEnd = topic.indexOf('/', t);
    const tLevel = tEnd === -1 ? topic.slice(t) : topic.slice(t, tEnd);
    if (fLevel !== '+' && fLevel !== tLevel) return false;
    if (fEnd === -1) return tEnd === -1;
    if (tEnd === -1) {
      // the topic has no more levels: only a trailing "/#" still matches
      return filter.slice(fEnd + 1) === '#';
    }
    f = fEnd + 1;
    t = tEnd + 1;
  }
}
