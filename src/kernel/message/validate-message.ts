/** Checks a producer's message before it is stored: bytes, property names, tag, keys, delay. */
import { KernelError, KernelErrorCode } from '../errors.js';
import type { Message } from './message.js';
import { NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR, isReservedProperty } from './properties.js';

/** the stored properties string's separators may not appear in names or values */
const SEPARATORS = new RegExp(`[${NAME_VALUE_SEPARATOR}${PROPERTY_SEPARATOR}]`);

export function validateMessage(m: Message): void {
  if (!Buffer.isBuffer(m.body)) throw new KernelError(KernelErrorCode.InvalidMessage, 'message body must be bytes');
  if (m.properties) {
    for (const name of Object.keys(m.properties)) {
      if (name.length === 0) throw new KernelError(KernelErrorCode.InvalidProperty, 'property names must not be empty');
      if (isReservedProperty(name)) throw new KernelError(KernelErrorCode.InvalidProperty, `property name ${JSON.stringify(name)} is reserved`);
      if (SEPARATORS.test(name) || SEPARATORS.test(m.properties[name]!)) {
        throw new KernelError(KernelErrorCode.InvalidProperty, `property ${JSON.stringify(name)} contains a control character \\u0001 or \\u0002`);
      }
    }
  }
  if (m.tag !== undefined && (SEPARATORS.test(m.tag) || m.tag.includes('||'))) throw new KernelError(KernelErrorCode.InvalidMessage, `tag ${JSON.stringify(m.tag)} contains a reserved sequence`);
  if (m.keys?.some((k) => (SEPARATORS.test(k) || k.includes(' ')))) throw new KernelError(KernelErrorCode.InvalidMessage, 'keys must not contain spaces or control characters');
  if (m.delayLevel !== undefined && (!Number.isInteger(m.delayLevel) || m.delayLevel < 0)) throw new KernelError(KernelErrorCode.InvalidMessage, `delay level must be a non-negative integer, got ${m.delayLevel}`);
}
