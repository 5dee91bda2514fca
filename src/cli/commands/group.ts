/**
 * rocketgate group list | show <group> | lag <group> | reset-offset <group> --to <time>
 * (mqadmin consumerProgress / resetOffsetByTime over the HTTP admin API). A reset over
 * several topics runs topic by topic with progress on stderr.
 */
import type { Command } from 'commander';
import type { GroupInfo, GroupMember, QueueLag, QueueLagList } from '../api-types.js';
import { DLQ_PREFIX, RETRY_PREFIX } from '../api-types.js';
import { path } from '../client.js';
import { adminCommand } from '../command.js';
import { UsageError } from '../errors.js';
import type { AdminIo } from '../io.js';
import { plural, printJson, renderFields, renderTable, time } from '../output.js';
import { createProgress } from '../progress.js';
import { collect, EARLIEST, LATEST, parseTime } from '../parse.js';

const lagColumns = [
  { header: 'TOPIC', value: (q: QueueLag) => q.topic },
  { header: 'QUEUE', value: (q: QueueLag) => q.queueId },
  { header: 'BROKER OFFSET', value: (q: QueueLag) => q.brokerOffset },
  { header: 'CONSUMER OFFSET', value: (q: QueueLag) => q.consumerOffset },
  { header: 'LAG', value: (q: QueueLag) => q.lag },
];

function describeTime(ms: number): string {
  if (ms === EARLIEST) return 'the earliest message';
  if (ms === LATEST) return 'the end (latest)';
  return new Date(ms).toISOString();
}

export function addGroupCommands(program: Command, io: AdminIo): void {
  const group = program.command('group').description('consumer groups: list, show, lag and offset reset');

  adminCommand(
    group.command('list').description('consumer groups with their model, start position and live members'),
    io,
    async (ctx) => {
      const { groups } = await ctx.client.get<{ groups: GroupInfo[] }>('/v1/groups');
      if (ctx.json) return printJson(io, { groups });
      if (groups.length === 0) return io.stdout('no groups\n');
      io.stdout(renderTable(groups, [
        { header: 'GROUP', value: (g) => g.group },
        { header: 'MODEL', value: (g) => g.messageModel.toLowerCase() },
        { header: 'FROM', value: (g) => g.consumeFrom.toLowerCase() },
        { header: 'ORDERLY', value: (g) => g.orderly },
        { header: 'MAX RETRIES', value: (g) => g.maxReconsumeTimes },
        { header: 'MEMBERS', value: (g) => g.members.length },
        { header: 'PROTOCOLS', value: (g) => [...new Set(g.members.map((m) => m.protocol))].sort().join(',') },
      ]));
    },
  );

  adminCommand(
    group.command('show').description('one group: settings, members and their subscriptions').argument('<group>', 'group name'),
    io,
    async (ctx, [name]) => {
      const g = await ctx.client.get<GroupInfo>(path`/v1/groups/${name!}`);
      if (ctx.json) return printJson(io, g);
      io.stdout(renderFields([
        ['group', g.group], ['model', g.messageModel.toLowerCase()], ['from', g.consumeFrom.toLowerCase()],
        ['created', time(g.consumeTimestamp)], ['orderly', g.orderly], ['max retries', g.maxReconsumeTimes], ['members', g.members.length],
      ]));
      if (g.members.length === 0) return;
      type Row = { m: GroupMember; s: GroupMember['subscriptions'][number] | undefined };
      const rows = g.members.flatMap((m): Row[] => (m.subscriptions.length === 0 ? [{ m, s: undefined }] : m.subscriptions.map((s) => ({ m, s }))));
      io.stdout(`\n${renderTable(rows, [
        { header: 'CLIENT', value: (r) => r.m.clientId },
        { header: 'PROTOCOL', value: (r) => r.m.protocol },
        { header: 'LAST HEARTBEAT', value: (r) => time(r.m.lastHeartbeat) },
        { header: 'TOPIC', value: (r) => r.s?.topic },
        { header: 'FILTER', value: (r) => (r.s ? `${r.s.filter.type} ${r.s.filter.expression}` : undefined) },
      ])}`);
    },
  );

  adminCommand<{ topic?: string }>(
    group.command('lag').description('committed offset and lag of a group in each queue')
      .argument('<group>', 'group name')
      .option('--topic <topic>', 'only this topic'),
    io,
    async (ctx, [name], opts) => {
      const answer = await ctx.client.get<QueueLagList>(path`/v1/groups/${name!}/lag`);
      const queues = opts.topic === undefined ? answer.queues : answer.queues.filter((q) => q.topic === opts.topic);
      const totalLag = queues.reduce((n, q) => n + q.lag, 0);
      if (ctx.json) return printJson(io, { group: name, totalLag, queues });
      if (queues.length === 0) return io.stdout(`group ${name} has no committed offsets${opts.topic ? ` on topic ${opts.topic}` : ''}\n`);
      io.stdout(renderTable(queues, lagColumns));
      io.stdout(`total lag: ${totalLag}\n`);
    },
  );

  adminCommand<{ to: string; topic?: string[]; progress: boolean }>(
    group.command('reset-offset').description('move a group\'s offsets to a point in time (every topic it consumes, or those named)')
      .argument('<group>', 'group name')
      .requiredOption('--to <time>', 'earliest | latest | ISO date-time | epoch ms | an age such as -10m or "2h ago"')
      .option('--topic <topic>', 'a topic to reset (repeatable; default: every topic the group has offsets on, without %RETRY%/%DLQ%)', collect)
      .option('--no-progress', 'no progress lines on stderr'),
    io,
    async (ctx, [name], opts) => {
      const timestamp = parseTime('--to', opts.to);
      let topics = opts.topic ?? [];
      if (topics.length === 0) {
        const lag = await ctx.client.get<QueueLagList>(path`/v1/groups/${name!}/lag`);
        topics = [...new Set(lag.queues.map((q) => q.topic))].filter((t) => !t.startsWith(RETRY_PREFIX) && !t.startsWith(DLQ_PREFIX));
        if (topics.length === 0) throw new UsageError(`group ${name} has no offsets on any topic yet; name one with --topic`);
      }
      const progress = createProgress(io, `reset-offset ${name}`, topics.length, opts.progress);
      const results: Array<{ topic: string } & QueueLagList> = [];
      for (const [i, topic] of topics.entries()) {
        const { body } = await ctx.client.post<QueueLagList>(path`/v1/groups/${name!}/offsets/reset`, { topic, timestamp });
        results.push({ topic, ...body });
        progress.step(i + 1, `topic ${topic}: ${plural(body.queues.length, 'queue')}, lag ${body.totalLag}`);
      }
      const queues = results.flatMap((r) => r.queues);
      const totalLag = queues.reduce((n, q) => n + q.lag, 0);
      progress.finish(`reset ${plural(queues.length, 'queue')} of ${plural(topics.length, 'topic')}`);
      if (ctx.json) return printJson(io, { group: name, timestamp, totalLag, topics: results });
      io.stdout(renderTable(queues, lagColumns));
      io.stdout(`group ${name} now starts at ${describeTime(timestamp)} on ${plural(topics.length, 'topic')}; total lag: ${totalLag}\n`);
    },
  );
}
