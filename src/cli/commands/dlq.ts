/**
 * rocketgate dlq list [group] | redrive <group>
 * Dead letters live in `%DLQ%<group>`. A re-drive sends them back to the group through its
 * retry topic (the HTTP API's POST /v1/groups/{group}/dead-letters/redrive). A large DLQ
 * goes in batches of --batch, with progress on stderr; the server remembers how far a
 * re-drive got (group `http-redrive-<group>`), so an interrupted one continues where it
 * stopped and a finished one has nothing left to send.
 */
import type { Command } from 'commander';
import type { DeadLetterList, QueueLagList, RedriveResponse, TopicStats } from '../api-types.js';
import { DLQ_PREFIX } from '../api-types.js';
import { path, type AdminClient } from '../client.js';
import { adminCommand } from '../command.js';
import { PartialError, RefusedError } from '../errors.js';
import type { AdminIo } from '../io.js';
import { plural, preview, printJson, renderTable, time } from '../output.js';
import { createProgress } from '../progress.js';
import { collect, parseCount } from '../parse.js';

type Result = RedriveResponse['results'][number];
const MAX_IDS_PER_REQUEST = 1000;

/** dead letters not yet re-driven: the lag of the re-drive marker group, else all of the DLQ */
async function remaining(client: AdminClient, group: string): Promise<number | undefined> {
  const dlq = `${DLQ_PREFIX}${group}`;
  try {
    const lag = await client.get<QueueLagList>(path`/v1/groups/${`http-redrive-${group}`}/lag`);
    const queue = lag.queues.find((q) => q.topic === dlq);
    if (queue) return queue.lag;
  } catch (err) {
    if (!(err instanceof RefusedError && err.status === 404)) throw err;
  }
  try {
    return (await client.get<TopicStats>(path`/v1/topics/${dlq}`)).messageCount;
  } catch (err) {
    if (err instanceof RefusedError && err.status === 404) return undefined;
    throw err;
  }
}

function printFailures(io: AdminIo, failed: Result[]): void {
  if (failed.length === 0) return;
  io.stderr(`${plural(failed.length, 'dead letter')} could not be re-driven:\n`);
  io.stderr(renderTable(failed, [
    { header: 'MSG ID', value: (r) => r.msgId },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'ERROR', value: (r) => (r.error ? `${r.error.code}: ${r.error.message}` : undefined) },
  ]));
}

export function addDlqCommands(program: Command, io: AdminIo): void {
  const dlq = program.command('dlq').description('dead-letter queues: list and re-drive');

  adminCommand<{ max?: string; offset?: string }>(
    dlq.command('list').description('without a group: the groups that have dead letters; with one: its dead letters, oldest first')
      .argument('[group]', 'consumer group')
      .option('--max <n>', 'dead letters to list (default: 100)')
      .option('--offset <n>', 'start at this dead-letter offset (the "next" a previous page printed)'),
    io,
    async (ctx, [group], opts) => {
      if (group === undefined) {
        const { topics } = await ctx.client.get<{ topics: TopicStats[] }>('/v1/topics', { system: true });
        const dlqs = topics.filter((t) => t.topic.startsWith(DLQ_PREFIX)).map((t) => ({
          group: t.topic.slice(DLQ_PREFIX.length),
          deadLetters: t.messageCount,
          lastStored: Math.max(0, ...t.queues.map((q) => q.lastStoreTimestamp)),
        }));
        if (ctx.json) return printJson(io, { groups: dlqs });
        if (dlqs.length === 0) return io.stdout('no dead letters\n');
        io.stdout(renderTable(dlqs, [
          { header: 'GROUP', value: (d) => d.group },
          { header: 'DEAD LETTERS', value: (d) => d.deadLetters },
          { header: 'LAST STORED', value: (d) => time(d.lastStored) },
        ]));
        return;
      }
      const query = {
        max: opts.max === undefined ? undefined : parseCount('--max', opts.max, 1, 1000),
        offset: opts.offset === undefined ? undefined : parseCount('--offset', opts.offset, 0, Number.MAX_SAFE_INTEGER),
      };
      const list = await ctx.client.get<DeadLetterList>(path`/v1/groups/${group}/dead-letters`, query);
      if (ctx.json) return printJson(io, list);
      if (list.messages.length === 0) return io.stdout(`group ${group} has no dead letters${opts.offset ? ` from offset ${opts.offset}` : ''}\n`);
      io.stdout(renderTable(list.messages, [
        { header: 'OFFSET', value: (m) => m.queueOffset },
        { header: 'MSG ID', value: (m) => m.msgId },
        { header: 'ORIGIN TOPIC', value: (m) => m.originTopic },
        { header: 'TAG', value: (m) => m.tag },
        { header: 'RETRIES', value: (m) => m.reconsumeTimes },
        { header: 'STORED', value: (m) => time(m.storeTimestamp) },
        { header: 'REDRIVEN', value: (m) => m.redriven },
        { header: 'BODY', value: (m) => preview(m.body, m.encoding, 32) },
      ]));
      if (list.messages.length === (query.max ?? 100)) io.stdout(`more: --offset ${list.nextOffset}\n`);
    },
  );

  adminCommand<{ msgId?: string[]; batch?: string; limit?: string; progress: boolean }>(
    dlq.command('redrive').description('send dead letters back to their group (through its retry topic) in batches')
      .argument('<group>', 'consumer group')
      .option('--msg-id <id>', 'only this dead letter, even when already re-driven (repeatable; the DLQ msgId or the original one)', collect)
      .option('--batch <n>', 'dead letters per request (default: 500)')
      .option('--limit <n>', 'stop after this many (default: all not yet re-driven)')
      .option('--no-progress', 'no progress on stderr'),
    io,
    async (ctx, [group], opts) => {
      const batch = opts.batch === undefined ? 500 : parseCount('--batch', opts.batch, 1, 10_000);
      const limit = opts.limit === undefined ? undefined : parseCount('--limit', opts.limit, 1, Number.MAX_SAFE_INTEGER);
      const label = `re-drive ${group}`;
      const results: Result[] = [];
      let notFound: string[] = [];
      if (opts.msgId) {
        const ids = [...new Set(opts.msgId)];
        const progress = createProgress(io, label, ids.length, opts.progress);
        for (let i = 0; i < ids.length; i += MAX_IDS_PER_REQUEST) {
          const chunk = ids.slice(i, i + MAX_IDS_PER_REQUEST);
          const { body } = await ctx.client.post<RedriveResponse>(path`/v1/groups/${group!}/dead-letters/redrive`, { msgIds: chunk });
          results.push(...body.results);
          progress.step(Math.min(ids.length, i + chunk.length));
        }
        const answered = new Set(results.map((r) => r.msgId));
        notFound = ids.filter((id) => !answered.has(id));
        progress.finish(`${results.filter((r) => r.status === 201).length} sent back`);
      } else {
        const total = await remaining(ctx.client, group!);
        const progress = createProgress(io, label, limit === undefined ? total : Math.min(limit, total ?? limit), opts.progress);
        let sent = 0;
        for (let round = 1; limit === undefined || sent < limit; round++) {
          const max = Math.min(batch, limit === undefined ? batch : limit - sent);
          const { body } = await ctx.client.post<RedriveResponse>(path`/v1/groups/${group!}/dead-letters/redrive`, { max });
          results.push(...body.results);
          sent += body.redriven;
          progress.step(sent, `(batch ${round}: ${body.redriven} sent back)`);
          // the server stops at the first failure and at the end of the DLQ
          if (body.results.length < max || body.redriven < body.results.length) break;
        }
        progress.finish(`${plural(sent, 'dead letter')} sent back`);
      }
      const failed = results.filter((r) => r.status !== 201);
      const redriven = results.length - failed.length;
      if (ctx.json) {
        printJson(io, { group, redriven, failed: failed.length, notFound, results });
      } else {
        io.stdout(`re-drove ${plural(redriven, 'dead letter')} of group ${group} to its retry topic\n`);
        if (notFound.length > 0) io.stderr(`not in the dead-letter queue of ${group}: ${notFound.join(', ')}\n`);
        printFailures(io, failed);
      }
      const missed = failed.length + notFound.length;
      if (missed > 0) throw new PartialError(`${plural(missed, 'dead letter')} not re-driven`);
    },
  );
}
