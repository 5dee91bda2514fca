/**
 * Reads a password for `rocketgate hash-password` without putting it in shell history:
 * from a terminal without echo, or the whole of a piped stdin (one trailing newline dropped).
 */
export async function readPassword(
  input: NodeJS.ReadStream = process.stdin,
  prompt: (text: string) => void = (text) => process.stderr.write(text),
): Promise<string> {
  if (!input.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  prompt('Password: ');
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (result: Error | string): void => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      prompt('\n');
      if (typeof result === 'string') resolve(result);
      else reject(result);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(typed);
        if (ch === '\u0003') return done(new Error('interrupted'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
