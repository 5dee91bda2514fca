/**
 * Progress of long admin work (DLQ re-drive in batches, offset resets topic by topic) on
 * stderr, so stdout stays the result (and clean JSON with --json):
 *   a terminal → one bar redrawn in place:  re-drive orders-g [########------] 400/1000 40%
 *   otherwise  → a line per step:           re-drive orders-g: 400/1000 (40%) batch 4
 */
import type { AdminIo } from './io.js';

export interface Progress {
  /** `done` so far; `total` may be corrected as the work learns it */
  step(done: number, note?: string, total?: number): void;
  /** ends the bar (a terminal) with a last line */
  finish(line: string): void;
}

const BAR_WIDTH = 28;

function fraction(done: number, total: number | undefined): string {
  if (total === undefined || total <= 0) return `${done}`;
  return `${done}/${total} (${Math.min(100, Math.floor((done * 100) / total))}%)`;
}

export function createProgress(io: AdminIo, label: string, initialTotal: number | undefined, enabled = true): Progress {
  let total = initialTotal;
  let drawn = false;
  if (!enabled) return { step: () => undefined, finish: () => undefined };
  if (!io.stderrIsTTY) {
    return {
      step: (done, note, t) => {
        if (t !== undefined) total = t;
        io.stderr(`${label}: ${fraction(done, total)}${note ? ` ${note}` : ''}\n`);
      },
      finish: (line) => io.stderr(`${label}: ${line}\n`),
    };
  }
  return {
    step: (done, note, t) => {
      if (t !== undefined) total = t;
      const filled = total && total > 0 ? Math.min(BAR_WIDTH, Math.round((done * BAR_WIDTH) / total)) : 0;
      const bar = total && total > 0 ? ` [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]` : '';
      io.stderr(`\r\u001b[2K${label}${bar} ${fraction(done, total)}${note ? ` ${note}` : ''}`);
      drawn = true;
    },
    finish: (line) => io.stderr(`${drawn ? '\r\u001b[2K' : ''}${label}: ${line}\n`),
  };
}
