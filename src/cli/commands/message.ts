/**
 * rocketgate message get <msgId> | find --topic T --key K
 * (mqadmin queryMsgById / queryMsgByKey over the HTTP admin API's index lookups)
 */
import type { Command } from 'commander';
import type { MessageView } from '../api-types.js';
import { path } from '../client.js';
import { adminCommand } from '../command.js';
import type { AdminIo } from '../io.js';
import { preview, printJson, renderFields, renderTable, time, type Cell } from '../output.js';
import { parseCount } from '../parse.js';

/** every field of a message, the body last and whole */
export function messageFields(m: MessageView): string {
  const all: Array<[string, Cell]> = [
    ['msgId', m.msgId], ['topic', m.topic], ['tag', m.tag], ['path', m.path], ['keys', m.keys.join(' ')],
    ['queue', m.queueId], ['offset', m.queueOffset], ['born', time(m.bornTimestamp)], ['stored', time(m.storeTimestamp)],
    ['content type', m.contentType], ['sharding key', m.shardingKey], ['reconsumed', m.reconsumeTimes],
    ['deliver at', time(m.deliverAt)], ['expires', time(m.expireAt)], ['priority', m.priority], ['correlation id', m.correlationId], ['reply to', m.replyTo],
  ];
  const fields = all.filter(([, value]) => value !== undefined && value !== '');
  for (const [name, value] of Object.entries(m.properties).sort(([a], [b]) => (a < b ? -1 : 1))) fields.push([`property ${name}`, value]);
  const body = m.encoding === 'base64' ? `${preview(m.body, 'base64')} (base64 with --json)` : m.body;
  return `${renderFields(fields)}body:\n${body}${body.endsWith('\n') ? '' : '\n'}`;
}

export function addMessageCommands(program: Command, io: AdminIo): void {
  const message = program.command('message').description('look messages up by id or by key');

  adminCommand(
    message.command('get').description('a message by its msgId (as a send or the consume output printed it)').argument('<msgId>', 'message id'),
    io,
    async (ctx, [msgId]) => {
      const m = await ctx.client.get<MessageView>(path`/v1/messages/${msgId!}`);
      if (ctx.json) return printJson(io, m);
      io.stdout(messageFields(m));
    },
  );

  adminCommand<{ topic: string; key: string; max?: string }>(
    message.command('find').description('messages of a topic with a key (newest first)')
      .requiredOption('--topic <topic>', 'topic to search')
      .requiredOption('--key <key>', 'message key (as sent with --key, MQTT user property keys, STOMP header keys)')
      .option('--max <n>', 'at most this many (default: 64)'),
    io,
    async (ctx, _args, opts) => {
      const max = opts.max === undefined ? undefined : parseCount('--max', opts.max, 1, 1000);
      const { messages } = await ctx.client.get<{ messages: MessageView[] }>(path`/v1/topics/${opts.topic}/messages`, { key: opts.key, max });
      if (ctx.json) return printJson(io, { messages });
      if (messages.length === 0) return io.stdout(`no message of topic ${opts.topic} has key ${opts.key}\n`);
      io.stdout(renderTable(messages, [
        { header: 'MSG ID', value: (m) => m.msgId },
        { header: 'TAG', value: (m) => m.tag },
        { header: 'QUEUE', value: (m) => m.queueId },
        { header: 'OFFSET', value: (m) => m.queueOffset },
        { header: 'STORED', value: (m) => time(m.storeTimestamp) },
        { header: 'BODY', value: (m) => preview(m.body, m.encoding) },
      ]));
    },
  );
}
