/**
 * RocketMQ's JSON bodies are written by fastjson, which is not always standard JSON: a
 * map with number keys (BrokerData.brokerAddrs, HashMap<Long, String>) comes out as
 * `{0:"10.0.0.1:10911"}` unless the reader asked for standard JSON. We always write
 * standard JSON (fastjson reads it back), and read both forms.
 */
export function parseFastJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(quoteBareNumberKeys(text));
  }
}

/** `{0:"a",12:"b"}` → `{"0":"a","12":"b"}`, leaving string contents alone */
export function quoteBareNumberKeys(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    if (ch === '{' || ch === ',') {
      const m = /^(\s*)(-?\d+)(\s*):/.exec(text.slice(i + 1, i + 40));
      if (m) {
        out += `${ch}${m[1]}"${m[2]}"${m[3]}:`;
        i += m[0].length;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/** parses a JSON body into an object, or throws with `what` in the message */
export function parseJsonObject(body: Buffer | undefined, what: string): Record<string, unknown> {
  if (!body || body.length === 0) throw new Error(`${what}: body is empty`);
  let value: unknown;
  try {
    value = parseFastJson(body.toString('utf8'));
  } catch (err) {
    throw new Error(`${what}: body is not JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what}: body is not a JSON object`);
  return value as Record<string, unknown>;
}

export function jsonBody(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
