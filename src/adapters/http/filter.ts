/**
 * `tagExpression` | `selector` → the kernel's FilterSpec, shared by receive, SSE and
 * webhook subscriptions. A selector is compiled by the broker; `checkFilter` makes it do
 * so up front, so a bad expression is a 400 on the request that carried it rather than a
 * consumer failing later in the background.
 */
import type { FilterSpec, KernelClient } from '../../kernel/index.js';
import { FilterType } from '../../kernel/index.js';
import { validationError } from './errors.js';
import type { ValidationIssue } from './errors.js';

export function filterOf(
  spec: { tagExpression?: string | undefined; selector?: string | undefined },
  where: ValidationIssue['in'] = 'body',
): FilterSpec | undefined {
  if (spec.tagExpression !== undefined && spec.selector !== undefined) {
    throw validationError([{ in: where, path: '/selector', message: 'excludes tagExpression' }]);
  }
  if (spec.selector !== undefined) return { type: FilterType.Sql92, expression: spec.selector };
  if (spec.tagExpression !== undefined) return { type: FilterType.Tag, expression: spec.tagExpression };
  return undefined;
}

/** Throws the broker's INVALID_FILTER for an expression it cannot compile. */
export async function checkFilter(kernel: KernelClient, topic: string, filter: FilterSpec | undefined): Promise<void> {
  if (!filter) return;
  // a pull at the queue's end with no wait compiles the filter and reads nothing
  const stats = await kernel.admin.topicStats(topic);
  const queue = stats?.queues[0];
  if (!queue) return;
  await kernel.brokerApi.pull({ group: 'http-filter-check', topic, queueId: queue.queueId, offset: queue.maxOffset, maxMessages: 1, filter, suspendMs: 0 });
}
