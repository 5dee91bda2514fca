/**
 * GET /dashboard/api/session: who the request's credentials belong to, so the page can
 * hide what the user may not do. The admin API checks every change again; this only
 * spares a read-only user buttons that would be refused. No credentials and an
 * authenticator that lets anonymous clients through: the anonymous principal.
 */
import type { Request, Response } from 'express';
import type { Authenticator } from '../../common/auth.js';
import { authenticateRequest } from '../auth.js';

export interface SessionView {
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
    const principal = authenticateRequest(auth, req.headers);
    const view: SessionView = principal
      ? {
        username: principal.username, admin: principal.admin, readOnly: principal.readOnly,
        canRead: principal.admin || principal.readOnly, canWrite: principal.admin && !principal.readOnly, authRequired: auth.required,
      }
      : { username: 'anonymous', admin: false, readOnly: false, canRead: false, canWrite: false, authRequired: auth.required };
    res.set('Cache-Control', 'no-store').json(view);
  };
}
