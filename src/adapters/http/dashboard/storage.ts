/**
 * GET /dashboard/api/storage: bytes under the data directory and the free space of its
 * file system, for the overview. Measured from outside the store (a directory walk and
 * statfs), so it needs nothing from the kernel; a gateway node without a data directory
 * answers {embedded: false}. Cached briefly: the overview asks every few seconds.
 */
import { readdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Request, Response } from 'express';
import type { Authenticator } from '../../common/auth.js';
import { authenticateRequest, authorizeAdmin } from '../auth.js';

const CACHE_MS = 5_000;

export interface StorageView {
  embedded: boolean;
  dataDir?: string;
  /** bytes of every file under the data directory (commit log, consume queues, index, config) */
  storeBytes?: number;
  files?: number;
  disk?: { totalBytes: number; freeBytes: number; availableBytes: number };
  measuredAt: number;
}

async function directorySize(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const s = await stat(path.join(entry.parentPath, entry.name)).catch(() => undefined);
    if (!s) continue; // removed while walking (retention, temp files)
    bytes += s.size;
    files += 1;
  }
  return { bytes, files };
}

export async function measureStorage(dataDir: string | undefined): Promise<StorageView> {
  if (!dataDir) return { embedded: false, measuredAt: Date.now() };
  const [size, fs] = await Promise.all([directorySize(dataDir), statfs(dataDir)]);
  return {
    embedded: true,
    dataDir,
    storeBytes: size.bytes,
    files: size.files,
    disk: { totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bfree * fs.bsize, availableBytes: fs.bavail * fs.bsize },
    measuredAt: Date.now(),
  };
}

export function storageHandler(auth: Authenticator, info: (() => Record<string, unknown>) | undefined) {
  let cached: { at: number; view: Promise<StorageView> } | undefined;
  return async (req: Request, res: Response): Promise<void> => {
    authorizeAdmin(authenticateRequest(auth, req.headers), false);
    if (!cached || Date.now() - cached.at > CACHE_MS) {
      const dataDir = info?.().dataDir;
      const view = measureStorage(typeof dataDir === 'string' ? dataDir : undefined);
      cached = { at: Date.now(), view };
      view.catch(() => (cached = undefined));
    }
    res.set('Cache-Control', 'no-store').json(await cached.view);
  };
}
