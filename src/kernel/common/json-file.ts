/**
 * Small JSON state files (topic and group configs, consumer offsets), written
 * atomically: write a temp file, fsync it, rename over the old one. A crash leaves
 * either the old or the new content, never a torn file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function readJsonFile<T>(file: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    // a corrupt state file falls back to the last good copy
    try {
      return JSON.parse(await fs.readFile(`${file}.bak`, 'utf8')) as T;
    } catch {
      throw err;
    }
  }
}

export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(JSON.stringify(value));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.copyFile(file, `${file}.bak`).catch(() => undefined);
  await fs.rename(tmp, file);
}

/** Serialises saves of one file: at most one write in flight, the latest value wins. */
export class JsonFileSaver {
  private writing: Promise<void> | undefined;
  private pending = false;

  constructor(private readonly file: string, private readonly snapshot: () => unknown) {}

  save(): Promise<void> {
    if (this.writing) {
      this.pending = true;
      return this.writing;
    }
    this.writing = (async () => {
      try {
        do {
          this.pending = false;
          await writeJsonFile(this.file, this.snapshot());
        } while (this.pending);
      } finally {
        this.writing = undefined;
      }
    })();
    return this.writing;
  }
}
