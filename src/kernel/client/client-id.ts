import { hostname } from 'node:os';

let sequence = 0;

/** RocketMQ-style client id: host@pid#sequence, unique within a process and readable in admin views */
export function createClientId(prefix = 'client'): string {
  return `${prefix}@${hostname()}@${process.pid}#${++sequence}#${Math.random().toString(36).slice(2, 8)}`;
}
