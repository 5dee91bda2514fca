/**
 * The web dashboard (issue 10), mounted by the HTTP app at /dashboard:
 *
 *   GET /dashboard/                 the page (index.html, never cached)
 *   GET /dashboard/assets/*         the bundle: hashed names, cached for a year
 *   GET /dashboard/api/session      who the credentials belong to (session.ts)
 *   GET /dashboard/api/browse       read a queue by offset or time (browse.ts)
 *   GET /dashboard/api/storage      data directory size and disk space (storage.ts)
 *
 * Everything else the page shows comes from the documented admin API (/v1/...), with
 * the user's credentials, so the API enforces every right again. The page is built by
 * `npm run build` (scripts/build-dashboard.ts) from web/dashboard; nothing is loaded
 * from elsewhere, and the Content-Security-Policy says so.
 */
import path from 'node:path';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { KernelClient } from '../../../kernel/index.js';
import type { Authenticator } from '../../common/auth.js';
import { ASSETS_SUBDIR, INDEX_FILE, findAssetsDir } from './assets.js';
import { browseHandler } from './browse.js';
import { sessionHandler } from './session.js';
import { storageHandler } from './storage.js';

export interface DashboardRouterOptions {
  auth: Authenticator;
  kernel: KernelClient;
  /** the process information the admin API serves at /v1/info; its `dataDir` feeds the storage view */
  info?: () => Record<string, unknown>;
  /** directory of the built dashboard; default dist/dashboard of this package */
  assetsDir?: string;
}

/** only this origin: no CDN, no inline script; uPlot positions its parts with style attributes */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

type AsyncHandler = (req: Request, res: Response) => Promise<void> | void;

/** express 5 forwards rejections itself; this keeps synchronous throws on the same path */
const handle = (fn: AsyncHandler) => async (req: Request, res: Response, next: NextFunction): Promise<void> => {
  try {
    await fn(req, res);
  } catch (err) {
    next(err);
  }
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rocketgate dashboard</title></head>
<body><main><h1>Dashboard not built</h1><p>Run <code>npm run build</code> (or <code>npm run build:dashboard</code>) and reload.</p></main></body></html>`;

export function createDashboardRouter(options: DashboardRouterOptions): Router {
  const router = express.Router();
  // looked up until found, so a dashboard built after the server started is served without a restart
  let assetsDir: string | undefined;
  let serveAssets: express.Handler | undefined;
  const located = (): string | undefined => {
    if (assetsDir) return assetsDir;
    assetsDir = findAssetsDir(options.assetsDir);
    if (assetsDir) serveAssets = express.static(path.join(assetsDir, ASSETS_SUBDIR), { immutable: true, maxAge: '365d', index: false });
    return assetsDir;
  };

  router.use((_req, res, next) => {
    res.set({ 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    next();
  });

  router.get('/api/session', handle(sessionHandler(options.auth)));
  router.get('/api/browse', handle(browseHandler(options.auth, options.kernel)));
  router.get('/api/storage', handle(storageHandler(options.auth, options.info)));

  router.use(`/${ASSETS_SUBDIR}`, (req, res, next) => {
    if (located() && serveAssets) serveAssets(req, res, next);
    else next();
  });

  router.get('/', (req, res) => {
    // relative asset URLs need the trailing slash: /dashboard → /dashboard/
    const [pathname, query] = req.originalUrl.split('?', 2) as [string, string | undefined];
    if (!pathname.endsWith('/')) {
      res.redirect(302, `${pathname}/${query === undefined ? '' : `?${query}`}`);
      return;
    }
    res.set('Cache-Control', 'no-cache');
    const dir = located();
    if (!dir) {
      res.status(503).type('html').send(NOT_BUILT);
      return;
    }
    res.sendFile(path.join(dir, INDEX_FILE));
  });

  return router;
}
