/**
 * rocketgate send <topic> [body] — publish one message for a quick try (POST
 * /v1/topics/{topic}/messages). The body is the argument, a file, or stdin (--file -);
 * bytes that are not UTF-8 travel as base64 and arrive unchanged.
 */
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { PublishResult } from '../api-types.js';
import { path } from '../client.js';
import { adminCommand } from '../command.js';
import { UsageError } from '../errors.js';
import type { AdminIo } from '../io.js';
import { printJson } from '../output.js';
import { collect, parseDuration, parseProperties } from '../parse.js';

interface SendOptions {
  file?: string;
  tag?: string;
  key?: string[];
  property?: string[];
  contentType?: string;
  shardingKey?: string;
  delay?: string;
  ttl?: string;
}

async function bodyOf(io: AdminIo, text: string | undefined, file: string | undefined): Promise<Buffer> {
  if (text !== undefined && file !== undefined) throw new UsageError('give the body as an argument or with --file, not both');
  if (text !== undefined) return Buffer.from(text, 'utf8');
  if (file === undefined) throw new UsageError('no body: give it as an argument, with --file <path>, or --file - to read stdin');
  if (file === '-') return io.readStdin();
  try {
    return await readFile(file);
  } catch (err) {
    throw new UsageError(`--file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function addSendCommand(program: Command, io: AdminIo): void {
  adminCommand<SendOptions>(
    program.command('send').description('publish one message to a topic (for a quick try; it is received over MQTT, STOMP and HTTP alike)')
      .argument('<topic>', 'topic (MQTT topic level 1, STOMP /topic/<topic> or /queue/<topic>)')
      .argument('[body]', 'message body (UTF-8); or use --file')
      .option('--file <path>', 'read the body from a file; - reads stdin')
      .option('--tag <tag>', 'tag (MQTT topic level 2, STOMP /topic/<topic>/<tag>)')
      .option('--key <key>', 'message key, indexed for "message find" (repeatable)', collect)
      .option('--property <name=value>', 'user property (MQTT 5 user property, STOMP header; repeatable)', collect)
      .option('--content-type <type>', 'content type of the body')
      .option('--sharding-key <key>', 'message group: same key, same queue, in order')
      .option('--delay <duration>', 'deliver after this long: 30s, 5m')
      .option('--ttl <duration>', 'expire when not delivered within this long'),
    io,
    async (ctx, [topic, text], opts) => {
      const bytes = await bodyOf(io, text, opts.file);
      const request: Record<string, unknown> = isUtf8(bytes) ? { body: bytes.toString('utf8') } : { body: bytes.toString('base64'), encoding: 'base64' };
      if (opts.tag !== undefined) request.tag = opts.tag;
      if (opts.key?.length) request.keys = opts.key;
      if (opts.property?.length) request.properties = parseProperties('--property', opts.property);
      if (opts.contentType !== undefined) request.contentType = opts.contentType;
      if (opts.shardingKey !== undefined) request.shardingKey = opts.shardingKey;
      if (opts.delay !== undefined) request.delayMs = parseDuration('--delay', opts.delay);
      if (opts.ttl !== undefined) request.ttlMs = Math.max(1, parseDuration('--ttl', opts.ttl));
      const { body: sent } = await ctx.client.post<PublishResult>(path`/v1/topics/${topic!}/messages`, request);
      if (ctx.json) return printJson(io, sent);
      io.stdout(`sent ${sent.msgId} to ${sent.topic}${opts.tag ? ` (tag ${opts.tag})` : ''}: queue ${sent.queueId}, offset ${sent.queueOffset}, ${bytes.length} bytes\n`);
    },
  );
}
