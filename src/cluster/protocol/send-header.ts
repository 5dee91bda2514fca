/**
 * SendMessageRequestHeader (SEND_MESSAGE, SEND_BATCH_MESSAGE) and its V2 form
 * (SEND_MESSAGE_V2, SendMessageRequestHeaderV2), which carries the same fields under
 * one-letter names to save bytes:
 *   a producerGroup  b topic  c defaultTopic  d defaultTopicQueueNums  e queueId
 *   f sysFlag  g bornTimestamp  h flag  i properties  j reconsumeTimes  k unitMode
 *   l maxReconsumeTimes  m batch  n brokerName
 * Java clients send SEND_MESSAGE_V2 (or SEND_BATCH_MESSAGE with V2 fields) by default.
 */
import type { HeaderValue } from '../remoting/command.js';
import { HeaderFields } from './header-fields.js';

export interface SendMessageHeader {
  producerGroup: string;
  topic: string;
  defaultTopic: string;
  defaultTopicQueueNums: number;
  queueId: number;
  sysFlag: number;
  bornTimestamp: number;
  flag: number;
  properties: string;
  reconsumeTimes?: number;
  unitMode?: boolean;
  batch?: boolean;
  maxReconsumeTimes?: number;
  brokerName?: string;
}

export const V2_FIELD_NAMES = {
  a: 'producerGroup', b: 'topic', c: 'defaultTopic', d: 'defaultTopicQueueNums', e: 'queueId', f: 'sysFlag',
  g: 'bornTimestamp', h: 'flag', i: 'properties', j: 'reconsumeTimes', k: 'unitMode', l: 'maxReconsumeTimes',
  m: 'batch', n: 'brokerName',
} as const;

/** V2 ext fields → V1 names (a V1 header passes unchanged) */
export function normalizeSendFields(ext: Record<string, string>, v2: boolean): Record<string, string> {
  if (!v2) return ext;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ext)) out[(V2_FIELD_NAMES as Record<string, string>)[k] ?? k] = v;
  return out;
}

export function readSendHeader(ext: Record<string, string>, v2: boolean): SendMessageHeader {
  const h = new HeaderFields(normalizeSendFields(ext, v2));
  return {
    producerGroup: h.str('producerGroup'),
    topic: h.str('topic'),
    defaultTopic: h.str('defaultTopic'),
    defaultTopicQueueNums: h.int('defaultTopicQueueNums'),
    queueId: h.int('queueId'),
    sysFlag: h.int('sysFlag'),
    bornTimestamp: h.int('bornTimestamp'),
    flag: h.int('flag'),
    properties: h.optStr('properties') ?? '',
    reconsumeTimes: h.optInt('reconsumeTimes'),
    unitMode: h.optBool('unitMode'),
    batch: h.optBool('batch'),
    maxReconsumeTimes: h.optInt('maxReconsumeTimes'),
    brokerName: h.optStr('brokerName'),
  };
}

/** the header as SEND_MESSAGE_V2 ext fields */
export function sendHeaderV2(h: SendMessageHeader): Record<string, HeaderValue> {
  return {
    a: h.producerGroup, b: h.topic, c: h.defaultTopic, d: h.defaultTopicQueueNums, e: h.queueId, f: h.sysFlag,
    g: h.bornTimestamp, h: h.flag, i: h.properties, j: h.reconsumeTimes, k: h.unitMode, l: h.maxReconsumeTimes,
    m: h.batch, n: h.brokerName,
  };
}
