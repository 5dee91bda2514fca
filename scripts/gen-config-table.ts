/**
 * Regenerates the configuration table in README.md from the config schema.
 *   npm run docs:config            rewrite README.md
 *   npm run docs:config -- --check exit 1 when README.md is stale (what the test checks too)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceConfigTable } from '../src/runtime/config-doc.js';

const readmePath = new URL('../README.md', import.meta.url);
const current = readFileSync(readmePath, 'utf8');
const next = replaceConfigTable(current);

if (process.argv.includes('--check')) {
  if (next !== current) {
    process.stderr.write('README.md configuration table is stale: run npm run docs:config\n');
    process.exit(1);
  }
  process.stdout.write('README.md configuration table is up to date\n');
} else if (next !== current) {
  writeFileSync(readmePath, next);
  process.stdout.write('README.md configuration table regenerated\n');
} else {
  process.stdout.write('README.md configuration table already up to date\n');
}
