#!/usr/bin/env node
/**
 * rocketgate's entry point: `rocketgate [start|nameserver|broker|gateway|hash-password]`.
 * All the work is in src/runtime/ (cli.ts builds the commands).
 */
import { runCli } from './runtime/cli.js';

runCli(process.argv).catch((err: unknown) => {
  process.stderr.write(`rocketgate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
