/**
 * rocketgate topic list | show <topic> | create <topic> | delete <topic>
 * (mqadmin topicList / topicStatus / updateTopic / deleteTopic over the HTTP admin API)
 */
import type { Command } from 'commander';
import type { TopicStats } from '../api-types.js';
import { path } from '../client.js';
import { adminCommand } from '../command.js';
import type { AdminIo } from '../io.js';
import { plural, printJson, renderFields, renderTable, time } from '../output.js';
import { parseCount } from '../parse.js';

function lastStored(t: TopicStats): number {
  return Math.max(0, ...t.queues.map((q) => q.lastStoreTimestamp));
}

export function addTopicCommands(program: Command, io: AdminIo): void {
  const topic = program.command('topic').description('list, show, create and delete topics');

  adminCommand<{ system?: boolean }>(
    topic.command('list').description('topics with their queue count, messages kept and last store time')
      .option('--system', 'include broker topics (%RETRY%, %DLQ%, ...)'),
    io,
    async (ctx, _args, opts) => {
      const { topics } = await ctx.client.get<{ topics: TopicStats[] }>('/v1/topics', opts.system ? { system: true } : undefined);
      if (ctx.json) return printJson(io, { topics });
      if (topics.length === 0) return io.stdout('no topics\n');
      io.stdout(renderTable(topics, [
        { header: 'TOPIC', value: (t) => t.topic },
        { header: 'QUEUES', value: (t) => t.queueCount },
        { header: 'MESSAGES', value: (t) => t.messageCount },
        { header: 'ORDERED', value: (t) => t.order },
        { header: 'LAST STORED', value: (t) => time(lastStored(t)) },
      ]));
    },
  );

  adminCommand(
    topic.command('show').description('one topic with the offsets of each queue').argument('<topic>', 'topic name'),
    io,
    async (ctx, [name]) => {
      const t = await ctx.client.get<TopicStats>(path`/v1/topics/${name!}`);
      if (ctx.json) return printJson(io, t);
      io.stdout(renderFields([
        ['topic', t.topic], ['queues', t.queueCount], ['messages', t.messageCount], ['ordered', t.order],
        ['permissions', t.perm], ['created', time(t.createdAt)], ['last stored', time(lastStored(t))],
      ]));
      io.stdout(`\n${renderTable(t.queues, [
        { header: 'QUEUE', value: (q) => q.queueId },
        { header: 'MIN OFFSET', value: (q) => q.minOffset },
        { header: 'MAX OFFSET', value: (q) => q.maxOffset },
        { header: 'LAST STORED', value: (q) => time(q.lastStoreTimestamp) },
      ])}`);
    },
  );

  adminCommand<{ queues?: string; order?: boolean }>(
    topic.command('create').description('create a topic, or grow the queue count of an existing one')
      .argument('<topic>', 'topic name: UTF-8 without / + # or control characters, at most 127 bytes')
      .option('--queues <n>', 'number of queues (default: the server\'s default queue count)')
      .option('--order', 'ordered topic (messages of one sharding key keep their order)'),
    io,
    async (ctx, [name], opts) => {
      const body: Record<string, unknown> = { topic: name };
      if (opts.queues !== undefined) body.queueCount = parseCount('--queues', opts.queues, 1, 1024);
      if (opts.order) body.order = true;
      const { status, body: info } = await ctx.client.post<{ topic: string; queueCount: number }>('/v1/topics', body);
      if (ctx.json) return printJson(io, { created: status === 201, ...info });
      io.stdout(status === 201
        ? `created topic ${info.topic} with ${plural(info.queueCount, 'queue')}\n`
        : `topic ${info.topic} existed; it has ${plural(info.queueCount, 'queue')}\n`);
    },
  );

  adminCommand(
    topic.command('delete').description('delete a topic and its messages').argument('<topic>', 'topic name'),
    io,
    async (ctx, [name]) => {
      await ctx.client.delete(path`/v1/topics/${name!}`);
      if (ctx.json) return printJson(io, { deleted: name });
      io.stdout(`deleted topic ${name}\n`);
    },
  );
}
