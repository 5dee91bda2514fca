/**
 * ajv validators, compiled once per schema. Bodies are validated as sent (defaults filled in);
 * path and query parameters arrive as strings and are coerced to the schema's types first.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { validationError } from './errors.js';
import type { ValidationIssue } from './errors.js';
import type { JsonSchema } from './schemas.js';

// ajv-formats is CommonJS: its module object is the plugin function.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

function newAjv(coerceTypes: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, coerceTypes, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

const bodyAjv = newAjv(false);
const paramAjv = newAjv(true);

export type Validator<T> = (data: unknown) => T;
type Part = ValidationIssue['in'];

function issuesOf(errors: ErrorObject[] | null | undefined, where: Part, prefix: string): ValidationIssue[] {
  return (errors ?? []).map((e) => {
    let path = e.instancePath;
    const params = e.params as { missingProperty?: string; additionalProperty?: string };
    if (e.keyword === 'required' && params.missingProperty) path += `/${params.missingProperty}`;
    if (e.keyword === 'additionalProperties' && params.additionalProperty) path += `/${params.additionalProperty}`;
    return { in: where, path: prefix + path, message: e.message ?? 'is invalid', keyword: e.keyword };
  });
}

function wrap<T>(fn: ValidateFunction, where: Part): (data: unknown, prefix?: string) => T {
  return (data, prefix = '') => {
    if (!fn(data)) throw validationError(issuesOf(fn.errors, where, prefix));
    return data as T;
  };
}

/** Validates a JSON request body (or one item of a batch, reported under `prefix`). */
export function bodyValidator<T>(schema: JsonSchema): (data: unknown, prefix?: string) => T {
  return wrap<T>(bodyAjv.compile(schema), 'body');
}

/** Non-throwing variant for per-item checks: the issues, or undefined when valid. */
export function bodyChecker(schema: JsonSchema): (data: unknown, prefix: string) => ValidationIssue[] | undefined {
  const fn = bodyAjv.compile(schema);
  return (data, prefix) => (fn(data) ? undefined : issuesOf(fn.errors, 'body', prefix));
}

/** Path or query parameters: a fresh object (coerced, defaults applied). */
export function paramValidator<T>(schema: JsonSchema, where: 'query' | 'path'): Validator<T> {
  const check = wrap<T>(paramAjv.compile(schema), where);
  return (data) => check({ ...(data as object) });
}
