/**
 * The cells of the matrix (publisher × subscriber × aspect), their applicability, a
 * runner that executes them concurrently on one server (each on its own topic), and
 * the printed matrix: one grid per aspect with a footnote per n/a, blocked or failed
 * cell, then `N passed, M failed`.
 */
import { Checks } from './checks.js';
import type { Aspect, CellContext } from './aspects/aspect.js';
import type { HttpApi } from './drivers/http-api.js';
import type {
  PublisherDriver, PublisherName, SubscriberDriver, SubscriberName, Subscription,
} from './drivers/types.js';

export type Status = 'pass' | 'FAIL' | 'n/a' | 'blocked';

export interface Cell {
  readonly pub: PublisherDriver;
  readonly sub: SubscriberDriver;
  readonly aspect: Aspect;
  /** `<publisher> → <subscriber>: <aspect>` */
  readonly name: string;
  readonly code: string;
  /** not run: not applicable, or not checkable here (blocked), and why */
  readonly skip?: { status: 'n/a' | 'blocked'; reason: string };
  /** a confirmed product bug: the test is `test.failing` and names it */
  readonly knownBug?: string;
}

export interface Outcome {
  status: Status;
  /** the violation, or a note of a pass */
  detail?: string;
  checks: number;
  ms: number;
}

const PUB_CODES: Record<PublisherName, string> = { 'MQTT 3.1.1': 'm3', 'MQTT 5': 'm5', STOMP: 'st', 'HTTP publish': 'hp', 'kernel client': 'kc', RocketMQ: 'rm' };
const SUB_CODES: Record<SubscriberName, string> = {
  'MQTT 3.1.1': 'm3', 'MQTT 5': 'm5', STOMP: 'st', 'HTTP pop': 'pop', 'HTTP SSE': 'sse', 'HTTP webhook': 'wh', 'kernel client': 'kc', RocketMQ: 'rm',
};

function skipOf(pub: PublisherDriver, sub: SubscriberDriver, aspect: Aspect): Cell['skip'] {
  for (const f of aspect.pubNeeds) {
    const reason = pub.limits[f];
    if (reason) return { status: 'n/a', reason: `${pub.name} publisher: ${reason}` };
  }
  for (const f of aspect.subNeeds) {
    const reason = sub.limits[f];
    if (reason) return { status: 'n/a', reason: `${sub.name} subscriber: ${reason}` };
  }
  for (const f of aspect.subNeeds) {
    const reason = sub.blocked[f];
    if (reason) return { status: 'blocked', reason: `${sub.name} subscriber: ${reason}` };
  }
  return undefined;
}

export function planCells(
  pubs: readonly PublisherDriver[], subs: readonly SubscriberDriver[], aspects: readonly Aspect[], knownBug: (cellName: string) => string | undefined,
): Cell[] {
  const cells: Cell[] = [];
  for (const pub of pubs) {
    for (const sub of subs) {
      for (const aspect of aspects) {
        const name = `${pub.name} → ${sub.name}: ${aspect.name}`;
        const skip = skipOf(pub, sub, aspect);
        const bug = knownBug(name);
        cells.push({
          pub, sub, aspect, name, code: `${PUB_CODES[pub.name]}-${SUB_CODES[sub.name]}-${aspect.code}`,
          ...(skip ? { skip } : {}), ...(bug && !skip ? { knownBug: bug } : {}),
        });
      }
    }
  }
  return cells;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class MatrixRun {
  private readonly outcomes = new Map<Cell, Promise<Outcome>>();
  private readonly settled = new Map<Cell, Outcome>();
  private startedAt = 0;

  constructor(readonly cells: readonly Cell[], private readonly api: HttpApi, private readonly concurrency: number) {}

  /** starts every runnable cell, slow (mostly waiting) ones first, at most `concurrency` at once */
  start(): void {
    this.startedAt = Date.now();
    const queue = this.cells.filter((c) => !c.skip).sort((a, b) => rank(a) - rank(b));
    const gates = new Map<Cell, () => void>();
    for (const cell of queue) {
      const ready = new Promise<void>((resolve) => gates.set(cell, resolve));
      const outcome = ready.then(() => this.runCell(cell));
      this.outcomes.set(cell, outcome.then((o) => {
        this.settled.set(cell, o);
        return o;
      }));
    }
    // the 1,000-message cells are CPU-bound: past a few at once they only slow each other
    // (and on a loaded CI machine run into their timeouts), so they get fewer slots
    const pending = [...queue];
    let running = 0;
    let heavyRunning = 0;
    const fill = (): void => {
      while (running < this.concurrency) {
        const i = pending.findIndex((c) => !isHeavy(c) || heavyRunning < HEAVY_CONCURRENCY);
        if (i < 0) return;
        const cell = pending.splice(i, 1)[0]!;
        const heavy = isHeavy(cell);
        running++;
        if (heavy) heavyRunning++;
        gates.get(cell)!();
        void this.outcomes.get(cell)!.finally(() => {
          running--;
          if (heavy) heavyRunning--;
          fill();
        });
      }
    };
    fill();
  }

  outcome(cell: Cell): Promise<Outcome> {
    const o = this.outcomes.get(cell);
    if (!o) throw new Error(`cell ${cell.name} was not started`);
    return o;
  }

  private async runCell(cell: Cell): Promise<Outcome> {
    const started = Date.now();
    const check = new Checks();
    const subscriptions: Subscription[] = [];
    const topic = `cp-${cell.code}`;
    try {
      await this.api.createTopic(topic, 4);
      const ctx: CellContext = {
        pub: cell.pub, sub: cell.sub, topic, code: cell.code, api: this.api, check,
        subscribe: async (options) => {
          const s = await cell.sub.subscribe({ ...options, topic });
          subscriptions.push(s);
          return s;
        },
      };
      const note = await withTimeout(cell.aspect.run(ctx), cell.aspect.timeoutMs, cell.name);
      return { status: 'pass', checks: check.count, ms: Date.now() - started, ...(note ? { detail: note } : {}) };
    } catch (err) {
      return { status: 'FAIL', detail: (err as Error).message, checks: check.count, ms: Date.now() - started };
    } finally {
      await Promise.allSettled(subscriptions.map((s) => withTimeout(s.close(), 5_000, `closing a subscription of ${cell.name}`)));
    }
  }

  render(publishers: readonly PublisherName[], subscribers: readonly SubscriberName[], aspects: readonly Aspect[]): string {
    const lines: string[] = [];
    const elapsed = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    lines.push('Cross-protocol conformance matrix (DESIGN.md §5): rows publish, columns subscribe; one embedded server, a topic per cell.');
    lines.push(`Cells ran in ${elapsed} s. pass = every check held; FAIL = contract broken (footnote: field, expected, got);`);
    lines.push('n/a = the protocol cannot express it (footnote: why); blocked = applicable but not checkable on this server (footnote);');
    lines.push('- = not selected in this run (CROSS_PROTOCOL_CELLS).');
    const statusOf = (cell: Cell): Status => cell.skip?.status ?? this.settled.get(cell)?.status ?? 'FAIL';
    for (const aspect of aspects) {
      lines.push('', `== ${aspect.name} ==`);
      const notes = new Map<string, number>();
      const grid: string[][] = [['publisher \\ subscriber', ...subscribers]];
      for (const pubName of publishers) {
        const row: string[] = [pubName];
        for (const subName of subscribers) {
          const cell = this.cells.find((c) => c.pub.name === pubName && c.sub.name === subName && c.aspect === aspect);
          if (!cell) {
            row.push('-');
            continue;
          }
          const status = statusOf(cell);
          const outcome = this.settled.get(cell);
          if (status === 'pass') {
            row.push('pass');
            continue;
          }
          // cells that failed the same way share a footnote: their row and column name the pair
          const text = cell.skip
            ? `${status} - ${cell.skip.reason}`
            : `FAIL - ${outcome?.detail ?? 'did not finish'}${cell.knownBug ? ` [known product bug, test.failing: ${cell.knownBug}]` : ''}`;
          const flat = text.replace(/\r?\n/g, '\\n');
          if (!notes.has(flat)) notes.set(flat, notes.size + 1);
          row.push(`${status} [${notes.get(flat)}]`);
        }
        grid.push(row);
      }
      const widths = grid[0]!.map((_, i) => Math.max(...grid.map((r) => r[i]!.length)));
      for (const row of grid) lines.push(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
      for (const [text, n] of notes) lines.push(`  [${n}] ${text}`);
    }
    const count = (s: Status): number => this.cells.filter((c) => statusOf(c) === s).length;
    const known = this.cells.filter((c) => c.knownBug && statusOf(c) === 'FAIL').length;
    lines.push('', `${this.cells.length} cells: ${count('pass')} passed, ${count('FAIL')} failed` +
      `${known > 0 ? ` (${known} known product bug${known === 1 ? '' : 's'}, marked test.failing)` : ''}, ${count('n/a')} not applicable, ${count('blocked')} blocked`);
    lines.push(`${count('pass')} passed, ${count('FAIL')} failed`);
    return lines.join('\n') + '\n';
  }

  /** one line per cell that ran: status, duration, checks, note or violation */
  details(): string {
    const lines = ['Cells that ran (status, duration, checks made, note or violation):'];
    for (const cell of this.cells) {
      const o = this.settled.get(cell);
      if (!o) continue;
      const detail = o.detail ? ` - ${o.detail.replace(/\r?\n/g, '\\n')}` : '';
      lines.push(`${o.status.padEnd(4)} ${String(o.ms).padStart(6)} ms ${String(o.checks).padStart(3)} checks  ${cell.name}${detail}`);
    }
    return lines.join('\n') + '\n';
  }
}

const HEAVY_CONCURRENCY = 6;

function isHeavy(cell: Cell): boolean {
  return cell.aspect.code === 'order';
}

/** slow cells first (they mostly wait), then the 1,000-message ones, then the rest */
function rank(cell: Cell): number {
  if (cell.aspect.slow) return 0;
  if (cell.aspect.code === 'order') return 1;
  return 2;
}
