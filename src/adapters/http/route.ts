/**
 * One declaration per endpoint: method, path, auth rule, parameter and body schemas,
 * responses and the handler. `mountRoutes` turns the declarations into express routes
 * (authenticate → parse → validate → handle → reply) and openapi.ts turns the same
 * declarations into the OpenAPI document, so every route is described by construction.
 */
import type { IRouter, Request, Response } from 'express';
import type { Authenticator, Principal, TopicAction } from '../common/auth.js';
import { authenticateRequest, authorizeAdmin, authorizeTopic } from './auth.js';
import { HttpError, HttpErrorCode, toHttpError } from './errors.js';
import type { HttpMetrics } from './metrics.js';
import type { JsonSchema } from './schemas.js';
import { bodyValidator, paramValidator } from './validate.js';

/**
 * public: no credentials; topic: authenticated, the handler asks the ACL for its topic;
 * admin-read / admin-write: the admin API.
 */
export type AuthRule = 'public' | 'topic' | 'admin-read' | 'admin-write';

export interface ResponseSpec {
  description: string;
  schema?: JsonSchema;
  /** default application/json */
  contentType?: string;
}

export interface HeaderSpec {
  name: string;
  description: string;
  schema: JsonSchema;
}

export interface RouteSpec<P = any, Q = any, B = any> {
  method: 'get' | 'post' | 'delete' | 'put';
  /** OpenAPI style: /v1/topics/{topic}/messages */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  auth: AuthRule;
  params?: JsonSchema;
  query?: JsonSchema;
  headers?: HeaderSpec[];
  body?: {
    schema: JsonSchema;
    required: boolean;
    /** false: the handler validates (batch items get a status each) */
    validate?: boolean;
    /** other content types are accepted and passed to the handler as bytes */
    raw?: { description: string };
  };
  responses: Record<number, ResponseSpec>;
  /** long-lived responses (SSE) are left out of the latency histogram */
  streaming?: boolean;
  handler: (ctx: RouteContext<P, Q, B>) => Promise<Reply | undefined>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  /** parsed JSON body (validated unless the spec says otherwise); undefined for raw bodies */
  body: B;
  /** the request bytes when the body is not JSON (raw publish, signed inbound hooks) */
  raw: Buffer | undefined;
  /** always the exact request bytes, JSON or not */
  bytes: Buffer | undefined;
  contentType: string | undefined;
  principal: Principal | undefined;
  req: Request;
  res: Response;
  authorize(action: TopicAction, topic: string, path?: string): void;
}

export function route<P, Q, B>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  return spec;
}

/** application/json and any +json type */
export function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  const mime = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

export function expressPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new HttpError(HttpErrorCode.InvalidJson, `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** JSON straight onto the response (express' res.json adds freshness and ETag work we do not use) */
export function sendReply(res: Response, reply: Reply): void {
  res.statusCode = reply.status;
  if (reply.headers) for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  if (reply.body === undefined) {
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export interface MountOptions {
  auth: Authenticator;
  metrics: HttpMetrics;
}

export function mountRoutes(router: IRouter, specs: RouteSpec[], options: MountOptions): void {
  for (const spec of specs) mountRoute(router, spec, options);
}

function mountRoute(router: IRouter, spec: RouteSpec, { auth, metrics }: MountOptions): void {
  const validateParams = spec.params ? paramValidator<unknown>(spec.params, 'path') : (p: unknown) => p;
  const validateQuery = spec.query ? paramValidator<unknown>(spec.query, 'query') : () => ({});
  const validateBody = spec.body && spec.body.validate !== false ? bodyValidator<unknown>(spec.body.schema) : (b: unknown) => b;
  const routeLabel = spec.path;

  router[spec.method](expressPath(spec.path), async (req: Request, res: Response, next: (err?: unknown) => void) => {
    const started = performance.now();
    const observe = (status: number): void => {
      if (!spec.streaming) metrics.observeRequest(spec.method, routeLabel, status, (performance.now() - started) / 1000);
    };
    try {
      const principal = spec.auth === 'public' ? undefined : authenticateRequest(auth, req.headers);
      if (spec.auth === 'admin-read' || spec.auth === 'admin-write') authorizeAdmin(principal, spec.auth === 'admin-write');

      const params = validateParams(req.params);
      const query = validateQuery(req.query);
      const bytes = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
      const contentType = req.headers['content-type'];
      let body: unknown;
      let raw: Buffer | undefined;
      if (spec.body) {
        if (spec.body.raw && contentType !== undefined && !isJsonType(contentType)) {
          raw = bytes ?? Buffer.alloc(0);
        } else if (bytes) {
          if (contentType !== undefined && !isJsonType(contentType)) {
            throw new HttpError(HttpErrorCode.UnsupportedMediaType, `expected application/json, got "${contentType}"`);
          }
          body = validateBody(parseJson(bytes));
        } else if (spec.body.required) {
          throw new HttpError(HttpErrorCode.ValidationFailed, 'body is required', [{ in: 'body', path: '', message: 'is required' }]);
        } else {
          body = validateBody({});
        }
      }
      const ctx: RouteContext<unknown, unknown, unknown> = {
        params, query, body, raw, bytes, contentType, principal, req, res,
        authorize: (action, topic, path) => authorizeTopic(auth, principal, action, topic, path),
      };
      const reply = await spec.handler(ctx);
      if (reply) sendReply(res, reply);
      observe(res.statusCode);
    } catch (err) {
      const e = toHttpError(err);
      observe(e.status);
      next(err);
    }
  });
}
