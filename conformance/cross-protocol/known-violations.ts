/**
 * Cells that fail because an adapter breaks the cross-protocol contract, confirmed as
 * product bugs: their tests are `test.failing` (so the suite stays green while the
 * bug is open and turns red once it is fixed, when the entry must go). Key: the test
 * name; value: what is broken and where.
 */
export const KNOWN_VIOLATIONS: Readonly<Record<string, string>> = {};
