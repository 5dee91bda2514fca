/** Checks a message before it is stored: bytes, text fields, property names, numbers. */
import { KernelError, KernelErrorCode } from '../errors.js';
import type { Message } from './message.js';
import { KEY_SEPARATOR, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR, isReservedProperty } from './properties.js';

const TEXT_FIELDS = ['contentType', 'shardingKey', 'correlationId', 'replyTo', 'path', 'uniqueId', 'producerGroup'] as const;

function checkText(what: string, value: string): void {
  if (typeof value !== 'string') throw new KernelError(KernelErrorCode.InvalidMessage, `${what} must be a string`);
  if (value.includes(NAME_VALUE_SEPARATOR) || value.includes(PROPERTY_SEPARATOR)) throw new KernelError(KernelErrorCode.InvalidMessage, `${what} contains a reserved separator character (U+0001 or U+0002)`);
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
  for (const f of TEXT_FIELDS) {
    const v = m[f];
    if (v !== undefined) checkText(f, v);
  }
  if (m.delayLevel !== undefined && (!Number.isInteger(m.delayLevel) || m.delayLevel < 0)) {
    throw new KernelError(KernelErrorCode.InvalidMessage, `delay level must be a non-negative integer, got ${m.delayLevel}`);
  }
  checkNumber('deliverAt', m.deliverAt);
  checkNumber('expireAt', m.expireAt);
  checkNumber('priority', m.priority);
  checkNumber('bornTimestamp', m.bornTimestamp);
  if (m.properties) {
    for (const [k, v] of Object.entries(m.properties)) {
      checkText(`property name ${JSON.stringify(k)}`, k);
      checkText(`property ${JSON.stringify(k)}`, v);
      if (k.length === 0) throw new KernelError(KernelErrorCode.InvalidProperty, 'property names must be non-empty');
      if (isReservedProperty(k)) throw new KernelError(KernelErrorCode.InvalidProperty, `property name ${JSON.stringify(k)} is reserved`);
    }
  }
  if (m.systemProperties) {
    for (const [k, v] of Object.entries(m.systemProperties)) {
      checkText(`system property name ${JSON.stringify(k)}`, k);
      checkText(`system property ${JSON.stringify(k)}`, v);
    }
  }
}
