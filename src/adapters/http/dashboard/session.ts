/**
 * GET /dashboard/api/session: who the request's credentials belong to, so the page can
 * hide what the user may not do. The admin API checks every change again; this only
 * spares a read-only user buttons that would be refused. No credentials and an
 * authenticator that lets anonymous clients through: the anonymous principal.
 *
 * It is the page's sign-in probe, so a refusal is an answer, not an error: missing or
 * wrong credentials give 200 with `authenticated: false` (and the reason), which spares
 * the browser console a failed request on every visit to the sign-in form.
 */
import type { Request, Response } from 'express';
import type { Authenticator } from '../../common/auth.js';
import { authenticateRequest } from '../auth.js';
import { HttpError, HttpErrorCode } from '../errors.js';

export interface SessionView {
  /** false: no or wrong credentials (see `reason`) */
  authenticated: boolean;
  reason?: string;
  username: string;
  admin: boolean;
  readOnly: boolean;
  /** may read the admin API */
  canRead: boolean;
  /** may change things through the admin API */
  canWrite: boolean;
  /** the server refuses anonymous clients */
  authRequired: boolean;
}

export function sessionHandler(auth: Authenticator) {
  return (req: Request, res: Response): void => {
    res.set('Cache-Control', 'no-store');
    let principal;
    try {
      principal = authenticateRequest(auth, req.headers);
    } catch (err) {
      if (!(err instanceof HttpError) || err.code !== HttpErrorCode.Unauthorized) throw err;
      res.json(refused(auth, err.message));
      return;
    }
    if (!principal) {
      res.json(refused(auth, 'credentials required'));
      return;
    }
    const view: SessionView = {
      authenticated: true, username: principal.username, admin: principal.admin, readOnly: principal.readOnly,
      canRead: principal.admin || principal.readOnly, canWrite: principal.admin && !principal.readOnly, authRequired: auth.required,
    };
    res.json(view);
  };
}

function refused(auth: Authenticator, reason: string): SessionView {
  return { authenticated: false, reason, username: '', admin: false, readOnly: false, canRead: false, canWrite: false, authRequired: auth.required };
}
