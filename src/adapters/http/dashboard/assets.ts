/**
 * Where the built dashboard lives. `npm run build` bundles web/dashboard into
 * dist/dashboard (scripts/build-dashboard.ts): index.html plus hashed files under assets/.
 * This module runs either from dist/adapters/http/dashboard (the build) or from
 * src/adapters/http/dashboard (tests, tsx), so both layouts are looked at.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const INDEX_FILE = 'index.html';
export const ASSETS_SUBDIR = 'assets';

const CANDIDATES = [
  '../../../dashboard/', // dist/adapters/http/dashboard → dist/dashboard
  '../../../../dist/dashboard/', // src/adapters/http/dashboard → dist/dashboard
];

/** the first candidate directory holding an index.html, or undefined when the dashboard was not built */
export function findAssetsDir(explicit?: string): string | undefined {
  const dirs = explicit ? [path.resolve(explicit)] : CANDIDATES.map((c) => fileURLToPath(new URL(c, import.meta.url)));
  return dirs.find((dir) => existsSync(path.join(dir, INDEX_FILE)));
}
