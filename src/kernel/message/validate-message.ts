/** Checks a message before it is stored: bytes, text fields, property names, numbers. */
import { KernelError, KernelErrorCode } from '../errors.js';
import type { Message } from './message.js';
import { KEY_SEPARATOR, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR, isReservedProperty } from './properties.js';

function checkText(what: string, value: string): void {
  const problem = textProblem(value);
  if (problem) throw new KernelError(KernelErrorCode.InvalidMessage, `${what} ${problem}`);
}

/** Why `value` cannot go into the properties string, or undefined when it can. */
function textProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.includes(NAME_VALUE_SEPARATOR) || value.includes(PROPERTY_SEPARATOR)) return 'contains a reserved separator character (U+0001 or U+0002)';
  return undefined;
}

/** A property's name and value; the error text is built only when one is bad. */
function checkProperty(kind: string, k: string, v: unknown): void {
  const nameProblem = textProblem(k);
  if (nameProblem) throw new KernelError(KernelErrorCode.InvalidMessage, `${kind} name ${JSON.stringify(k)} ${nameProblem}`);
  const valueProblem = textProblem(v);
  if (valueProblem) throw new KernelError(KernelErrorCode.InvalidMessage, `${kind} ${JSON.stringify(k)} ${valueProblem}`);
}

function checkNumber(what: string, value: number | undefined): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) throw new KernelError(KernelErrorCode.InvalidMessage, `${what} must be a finite number`);
}

/**
 * The one check of a message before it is stored: everything that goes into the
 * properties string must survive the round trip, and fields must have their types.
 * The store runs it on every put; a remote client runs it before sending.
 */
export function validateMessage(m: Message): void {
  if (!Buffer.isBuffer(m.body)) throw new KernelError(KernelErrorCode.InvalidMessage, 'message body must be a Buffer');
  if (m.tag !== undefined) {
    checkText('tag', m.tag);
    // a tag expression could not name it
    if (m.tag.includes('||')) throw new KernelError(KernelErrorCode.InvalidMessage, `tag ${JSON.stringify(m.tag)} contains "||"`);
  }
  if (m.keys !== undefined) {
    if (!Array.isArray(m.keys)) throw new KernelError(KernelErrorCode.InvalidMessage, 'keys must be an array of strings');
    for (const k of m.keys) {
      checkText('key', k);
      if (k.length === 0 || k.includes(KEY_SEPARATOR)) throw new KernelError(KernelErrorCode.InvalidMessage, `key ${JSON.stringify(k)} must be non-empty and contain no space`);
    }
  }
  // field by field, not a loop over names: keyed reads of a message are slow on this hot path
  if (m.contentType !== undefined) checkText('contentType', m.contentType);
  if (m.shardingKey !== undefined) checkText('shardingKey', m.shardingKey);
  if (m.correlationId !== undefined) checkText('correlationId', m.correlationId);
  if (m.replyTo !== undefined) checkText('replyTo', m.replyTo);
  if (m.path !== undefined) checkText('path', m.path);
  if (m.uniqueId !== undefined) checkText('uniqueId', m.uniqueId);
  if (m.producerGroup !== undefined) checkText('producerGroup', m.producerGroup);
  if (m.delayLevel !== undefined && (!Number.isInteger(m.delayLevel) || m.delayLevel < 0)) {
    throw new KernelError(KernelErrorCode.InvalidMessage, `delay level must be a non-negative integer, got ${m.delayLevel}`);
  }
  checkNumber('deliverAt', m.deliverAt);
  checkNumber('expireAt', m.expireAt);
  checkNumber('priority', m.priority);
  checkNumber('bornTimestamp', m.bornTimestamp);
  const properties = m.properties;
  if (properties) {
    for (const k of Object.keys(properties)) {
      checkProperty('property', k, properties[k]);
      if (k.length === 0) throw new KernelError(KernelErrorCode.InvalidProperty, 'property names must be non-empty');
      if (isReservedProperty(k)) throw new KernelError(KernelErrorCode.InvalidProperty, `property name ${JSON.stringify(k)} is reserved`);
    }
  }
  const system = m.systemProperties;
  if (system) {
    for (const k of Object.keys(system)) {
      checkProperty('system property', k, system[k]);
    }
  }
}
