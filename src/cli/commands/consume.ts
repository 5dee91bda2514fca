/**
 * rocketgate consume <topic> — receive and acknowledge messages for a quick try, over the
 * HTTP API's pop-style consumption (POST .../receive, then .../ack): a clustering group,
 * messages invisible to the rest of the group until acked. Waits up to --wait in all for
 * up to --max messages and prints each as it arrives.
 */
import type { Command } from 'commander';
import type { HandleResults, ReceivedMessage } from '../api-types.js';
import { path } from '../client.js';
import { adminCommand } from '../command.js';
import { PartialError, RefusedError, UsageError } from '../errors.js';
import type { AdminIo } from '../io.js';
import { plural, preview, printJson } from '../output.js';
import { parseCount, parseDuration } from '../parse.js';

const MAX_PER_RECEIVE = 32;
const MAX_WAIT_PER_RECEIVE = 30_000;
export const DEFAULT_GROUP = 'rocketgate-cli';

interface ConsumeOptions {
  group: string;
  max: string;
  wait: string;
  tag?: string;
  selector?: string;
  ack: boolean;
  invisible: string;
}

function describe(m: ReceivedMessage): string {
  const where = m.tag ? `${m.topic}/${m.tag}` : m.topic;
  const extra = [
    m.keys.length ? `keys ${m.keys.join(',')}` : '',
    m.contentType ? `content-type ${m.contentType}` : '',
    ...Object.entries(m.properties).map(([k, v]) => `${k}=${v}`),
    m.reconsumeTimes > 0 ? `redelivery ${m.reconsumeTimes}` : '',
  ].filter((s) => s !== '');
  const body = m.encoding === 'base64' ? preview(m.body, 'base64') : m.body;
  return `[${where}] ${m.msgId} queue ${m.queueId} offset ${m.queueOffset}${extra.length ? `  ${extra.join('  ')}` : ''}\n${body}${body.endsWith('\n') ? '' : '\n'}`;
}

export function addConsumeCommand(program: Command, io: AdminIo): void {
  adminCommand<ConsumeOptions>(
    program.command('consume').description('receive and acknowledge messages of a topic (for a quick try)')
      .argument('<topic>', 'topic')
      .option('--group <group>', 'consumer group; a new group gets the messages stored from its first receive on', DEFAULT_GROUP)
      .option('--max <n>', 'stop after this many messages', '10')
      .option('--wait <duration>', 'how long to wait in all for messages: 500ms, 5s, 2m; 0 = take what is there', '5s')
      .option('--tag <expression>', 'tag expression: created, a || b')
      .option('--selector <sql>', 'SQL92 selector over properties and TAGS')
      .option('--invisible <duration>', 'how long a received message stays hidden from the group before redelivery', '30s')
      .option('--no-ack', 'do not acknowledge: the messages come again after --invisible')
      .addHelpText('after', '\nRun it before "send" when the group is new, or name a group that has consumed before.'),
    io,
    async (ctx, [topic], opts) => {
      const max = parseCount('--max', opts.max, 1, 1_000_000);
      const waitMs = parseDuration('--wait', opts.wait);
      const invisibleMs = parseDuration('--invisible', opts.invisible);
      if (invisibleMs < 1000) throw new UsageError('--invisible must be at least 1s');
      if (opts.tag !== undefined && opts.selector !== undefined) throw new UsageError('--tag and --selector exclude each other');
      const route = (action: string): string => path`/v1/groups/${opts.group}/topics/${topic!}/` + action;
      const deadline = Date.now() + waitMs;
      const received: Array<ReceivedMessage & { acked: boolean }> = [];
      const failedAcks: HandleResults['results'] = [];
      while (received.length < max) {
        const wait = Math.min(MAX_WAIT_PER_RECEIVE, Math.max(0, deadline - Date.now()));
        const request: Record<string, unknown> = { max: Math.min(MAX_PER_RECEIVE, max - received.length), waitMs: wait, invisibleMs };
        if (opts.tag !== undefined) request.tagExpression = opts.tag;
        if (opts.selector !== undefined) request.selector = opts.selector;
        const { body } = await ctx.client.post<{ messages: ReceivedMessage[] }>(route('receive'), request, { timeoutMs: wait + 10_000 }).catch((err: unknown) => {
          if (err instanceof RefusedError && err.code === 'TOPIC_NOT_FOUND') {
            throw new RefusedError(err.status, err.code, `${err.serverMessage}; create it first (rocketgate topic create ${topic}) or publish to it once`);
          }
          throw err;
        });
        let acked = new Set<string>();
        if (opts.ack && body.messages.length > 0) {
          const handles = body.messages.map((m) => m.receiptHandle);
          try {
            const { body: ack } = await ctx.client.post<HandleResults>(route('ack'), { receiptHandles: handles });
            failedAcks.push(...ack.results.filter((r) => r.status !== 200));
            acked = new Set(ack.results.filter((r) => r.status === 200).map((r) => r.receiptHandle));
          } catch (err) {
            if (!(err instanceof RefusedError)) throw err;
            failedAcks.push(...handles.map((receiptHandle) => ({ receiptHandle, status: err.status, error: { code: err.code, message: err.serverMessage } })));
          }
        }
        for (const m of body.messages) {
          received.push({ ...m, acked: acked.has(m.receiptHandle) });
          if (!ctx.json) io.stdout(describe(m));
        }
        if (body.messages.length === 0 && Date.now() >= deadline) break;
      }
      if (ctx.json) printJson(io, { group: opts.group, topic, messages: received });
      else if (received.length === 0) io.stderr(`no message on ${topic} for group ${opts.group} within ${opts.wait}\n`);
      else io.stderr(`received ${plural(received.length, 'message')}${opts.ack ? `, acknowledged ${received.filter((m) => m.acked).length}` : ' (not acknowledged)'}\n`);
      if (failedAcks.length > 0) {
        for (const f of failedAcks) io.stderr(`ack failed: ${f.status} ${f.error?.code ?? ''} ${f.error?.message ?? ''}\n`);
        throw new PartialError(`${plural(failedAcks.length, 'acknowledgement')} failed; those messages come again after --invisible`);
      }
    },
  );
}
