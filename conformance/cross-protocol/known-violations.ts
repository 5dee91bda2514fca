/**
 * Cells that fail because the product breaks the cross-protocol contract, confirmed as
 * product bugs: their tests are `test.failing`, so the suite stays green while the bug
 * is open and turns red once it is fixed (then the entry goes). Each entry names the
 * cells by a pattern over test names, what is broken and where.
 */
export interface KnownViolation {
  /** matches `<publisher> → <subscriber>: <aspect>` */
  cells: RegExp;
  bug: string;
}

export const KNOWN_VIOLATIONS: readonly KnownViolation[] = [];

export function knownViolation(cellName: string): string | undefined {
  return KNOWN_VIOLATIONS.find((v) => v.cells.test(cellName))?.bug;
}
