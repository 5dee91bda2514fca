/**
 * The express application: one body reader (bytes, size-limited), the declared routes,
 * and the error middleware that answers every failure as {error: {code, message, details}}.
 */
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../common/auth.js';
import { readBody } from './body.js';
import { HttpError, HttpErrorCode, toHttpError } from './errors.js';
import type { HttpMetrics } from './metrics.js';
import { mountRoutes } from './route.js';
import type { RouteSpec } from './route.js';

export interface AppOptions {
  routes: RouteSpec[];
  auth: Authenticator;
  metrics: HttpMetrics;
  logger: Logger;
  maxBodyBytes: number;
  /** the web dashboard (dashboard/router.ts), served at /dashboard; `/` redirects there */
  dashboard?: express.Router;
}

export function createApp(o: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(readBody(o.maxBodyBytes));
  if (o.dashboard) {
    app.get('/', (_req: Request, res: Response) => res.redirect(302, '/dashboard/'));
    app.use('/dashboard', o.dashboard);
  }
  // routes straight on the app: one dispatch level less than a sub-router
  mountRoutes(app, o.routes, { auth: o.auth, metrics: o.metrics });
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new HttpError(HttpErrorCode.NotFound, `no route for ${req.method} ${req.path}`));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toHttpError(err);
    if (e.status >= 500) o.logger.error({ err, method: req.method, path: req.path }, 'HTTP request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(e.status).set(e.headers).json(e.toBody());
  });
  return app;
}
