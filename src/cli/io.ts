/**
 * What the admin subcommands need from the process: output streams, environment, exit,
 * stdin (passwords, `--file -`), whether stderr is a terminal (progress bar or lines).
 * runtime/cli.ts passes its CliIo; tests may pass their own.
 */
export interface AdminIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  exit(code: number): void;
  readPassword(): Promise<string>;
  readStdin(): Promise<Buffer>;
  /** draw a progress bar (true) or print a line per step (false) */
  stderrIsTTY: boolean;
  fetch?: typeof fetch;
}

export async function readProcessStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}
