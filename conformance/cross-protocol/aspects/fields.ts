/**
 * The fields of one message (DESIGN.md §5 table): body bytes, binary, empty and UTF-8; tag;
 * keys; properties (also one with an empty value); content type. Each cell publishes a message with every field its
 * publisher can express and checks one field of what arrives. The binary body goes as
 * `application/octet-stream` (HTTP: a raw publish), every other as JSON.
 */
import { userProperties, type Feature, type Received } from '../drivers/types.js';
import {
  BINARY_BODY, BINARY_CONTENT_TYPE, CONTENT_TYPE, HEADER_SAFE_PROPERTIES, fullSpec, KEYS, PROPERTIES, TAG, TEXT_BODY, UNICODE_TAG,
  type Aspect, type CellContext,
} from './aspect.js';

/** publishes the full message with `body` and returns its one delivery */
async function exchange(ctx: CellContext, body: Buffer, tag: string, properties: Record<string, string>): Promise<Received> {
  const sub = await ctx.subscribe({ tag });
  const binary = body === BINARY_BODY;
  await ctx.pub.publish(binary ? fullSpec(ctx, body, BINARY_CONTENT_TYPE, HEADER_SAFE_PROPERTIES) : fullSpec(ctx, body, CONTENT_TYPE, properties, tag));
  const [m] = await sub.inbox.take(1);
  return m!;
}

function fieldAspect(
  name: string, code: string, needs: Feature[], body: Buffer,
  check: (ctx: CellContext, m: Received) => void, tag = TAG, properties = PROPERTIES,
): Aspect {
  return {
    name, code, pubNeeds: needs, subNeeds: needs, timeoutMs: 20_000,
    async run(ctx) {
      check(ctx, await exchange(ctx, body, tag, properties));
    },
  };
}

export const fieldAspects: Aspect[] = [
  fieldAspect('body (binary)', 'bin', [], BINARY_BODY, (ctx, m) => ctx.check.equal('body bytes', BINARY_BODY, m.body)),
  fieldAspect('body (empty)', 'empty', [], Buffer.alloc(0), (ctx, m) => ctx.check.equal('body bytes', Buffer.alloc(0), m.body)),
  fieldAspect('body (UTF-8)', 'utf8', [], TEXT_BODY, (ctx, m) => {
    ctx.check.equal('body bytes', TEXT_BODY, m.body);
    ctx.check.equal('body text', TEXT_BODY.toString('utf8'), m.body.toString('utf8'));
  }),
  fieldAspect('tag', 'tag', [], TEXT_BODY, (ctx, m) => {
    ctx.check.equal('tag', UNICODE_TAG, m.tag);
    ctx.check.equal('path', `${ctx.topic}/${UNICODE_TAG}`, m.path);
  }, UNICODE_TAG),
  fieldAspect('keys', 'keys', ['keys'], TEXT_BODY, (ctx, m) => ctx.check.equal('keys', KEYS, m.keys)),
  fieldAspect('properties', 'props', ['properties'], TEXT_BODY, (ctx, m) => {
    // protocol-only namespaces (mqtt.*, stomp.*, http.*) may ride along (STYLE.md §4); nothing else may
    ctx.check.equal('properties', PROPERTIES, userProperties(m.properties));
  }),
  // an empty string is a value in every protocol (MQTT 5 UTF-8 string pair, STOMP `name:`, JSON "")
  fieldAspect('property with an empty value', 'pempty', ['properties'], TEXT_BODY, (ctx, m) => {
    ctx.check.equal('property "empty"', '', m.properties?.empty);
    ctx.check.equal('properties', { ...PROPERTIES, empty: '' }, userProperties(m.properties));
  }, TAG, { ...PROPERTIES, empty: '' }),
  fieldAspect('content type', 'ctype', ['contentType'], TEXT_BODY, (ctx, m) => ctx.check.equal('content type', CONTENT_TYPE, m.contentType)),
];
