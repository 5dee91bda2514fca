/**
 * Reads every request body as bytes (req.body: Buffer), at most `limit` bytes: the one body
 * reader of the app (routes parse JSON themselves; raw publish and signed hooks need the bytes).
 * A lean path for identity-encoded bodies; compressed ones go through express.raw, which inflates.
 * An oversized body is read to its end and discarded before the 413 goes out (as body-parser
 * does), so the client sees the answer instead of a reset connection.
 */
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError, HttpErrorCode } from './errors.js';

function tooLarge(limit: number): HttpError {
  return new HttpError(HttpErrorCode.PayloadTooLarge, `request body exceeds ${limit} bytes`, { limit });
}

export function readBody(limit: number): RequestHandler {
  const inflating = express.raw({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction) => {
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      inflating(req, res, next);
      return;
    }
    const declared = req.headers['content-length'];
    if (req.headers['transfer-encoding'] === undefined && (declared === undefined || declared === '0')) {
      next();
      return;
    }
    let failure: HttpError | undefined = declared !== undefined && Number(declared) > limit ? tooLarge(limit) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      if (err === undefined && failure === undefined) req.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      next(err ?? failure);
    };
    req.on('data', (chunk: Buffer) => {
      if (failure) return;
      size += chunk.length;
      if (size > limit) {
        failure = tooLarge(limit);
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => settle());
    req.once('error', (err) => settle(new HttpError(HttpErrorCode.BadRequest, `request body could not be read: ${err.message}`)));
    req.once('aborted', () => settle(new HttpError(HttpErrorCode.BadRequest, 'request aborted')));
  };
}
