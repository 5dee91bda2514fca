/**
 * The fields of one message (DESIGN.md §5 table): body bytes (binary, empty, UTF-8),
 * tag, keys, properties (also one with an empty value), content type. Each cell
 * publishes a message with every field its publisher can express and checks one field
 * of what arrives. The binary body goes as `application/octet-stream` (HTTP: a raw
 * publish), every other as JSON.
 */
import { userProperties, type Feature, type MessageSpec, type Received } from '../drivers/types.js';
import {
  BINARY_BODY, BINARY_CONTENT_TYPE, CONTENT_TYPE, HEADER_SAFE_PROPERTIES, fullSpec, KEYS, PROPERTIES, TEXT_BODY, UNICODE_TAG,
  type Aspect, type CellContext,
} from './aspect.js';

const WITH_EMPTY_VALUE = { ...PROPERTIES, empty: '' };

/** publishes `message` to a subscription of its tag and checks its one delivery */
function fieldAspect(
  name: string, code: string, needs: Feature[], message: (ctx: CellContext) => MessageSpec,
  check: (ctx: CellContext, m: Received) => void,
): Aspect {
  return {
    name, code, pubNeeds: needs, subNeeds: needs, timeoutMs: 20_000,
    async run(ctx) {
      const spec = message(ctx);
      const sub = await ctx.subscribe({ tag: spec.tag! });
      await ctx.pub.publish(spec);
      const [m] = await sub.inbox.take(1);
      check(ctx, m!);
    },
  };
}

const text = (ctx: CellContext): MessageSpec => fullSpec(ctx, TEXT_BODY);

export const fieldAspects: Aspect[] = [
  fieldAspect('body (binary)', 'bin', [],
    (ctx) => fullSpec(ctx, BINARY_BODY, { contentType: BINARY_CONTENT_TYPE, properties: HEADER_SAFE_PROPERTIES }),
    (ctx, m) => ctx.check.equal('body bytes', BINARY_BODY, m.body)),
  fieldAspect('body (empty)', 'empty', ['emptyBody'], (ctx) => fullSpec(ctx, Buffer.alloc(0)), (ctx, m) => ctx.check.equal('body bytes', Buffer.alloc(0), m.body)),
  fieldAspect('body (UTF-8)', 'utf8', [], text, (ctx, m) => {
    ctx.check.equal('body bytes', TEXT_BODY, m.body);
    ctx.check.equal('body text', TEXT_BODY.toString('utf8'), m.body.toString('utf8'));
  }),
  fieldAspect('tag', 'tag', [], (ctx) => fullSpec(ctx, TEXT_BODY, { tag: UNICODE_TAG }), (ctx, m) => {
    ctx.check.equal('tag', UNICODE_TAG, m.tag);
    ctx.check.equal('path', `${ctx.topic}/${UNICODE_TAG}`, m.path);
  }),
  fieldAspect('keys', 'keys', ['keys'], text, (ctx, m) => ctx.check.equal('keys', KEYS, m.keys)),
  fieldAspect('properties', 'props', ['properties'], text, (ctx, m) => {
    // protocol-only namespaces (mqtt.*, stomp.*, http.*) may ride along (STYLE.md §4); nothing else may
    ctx.check.equal('properties', PROPERTIES, userProperties(m.properties));
  }),
  // an empty string is a value in every protocol (MQTT 5 UTF-8 string pair, STOMP `name:`, JSON "")
  fieldAspect('property with an empty value', 'pempty', ['properties'], (ctx) => fullSpec(ctx, TEXT_BODY, { properties: WITH_EMPTY_VALUE }), (ctx, m) => {
    ctx.check.equal('property "empty"', '', m.properties?.empty);
    ctx.check.equal('properties', WITH_EMPTY_VALUE, userProperties(m.properties));
  }),
  fieldAspect('content type', 'ctype', ['contentType'], text, (ctx, m) => ctx.check.equal('content type', CONTENT_TYPE, m.contentType)),
];
