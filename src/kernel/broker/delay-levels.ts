/**
 * Delays: RocketMQ's 18 message delay levels, and the retry backoff of a consumer
 * group (level 3 onwards: 10s 30s 1m ... 2h), both configurable.
 */
export const DEFAULT_DELAY_LEVELS_MS = [
  1_000, 5_000, 10_000, 30_000, 60_000, 120_000, 180_000, 240_000, 300_000, 360_000,
  420_000, 480_000, 540_000, 600_000, 1_200_000, 1_800_000, 3_600_000, 7_200_000,
];

/** delay before the n-th redelivery (n = reconsumeTimes after the failure, from 1) */
export const DEFAULT_RETRY_BACKOFF_MS = DEFAULT_DELAY_LEVELS_MS.slice(2);

export function delayOfLevel(level: number, levels: number[] = DEFAULT_DELAY_LEVELS_MS): number {
  const index = Math.min(Math.max(level, 1), levels.length) - 1;
  return levels[index]!;
}

export function retryBackoff(reconsumeTimes: number, backoff: number[] = DEFAULT_RETRY_BACKOFF_MS): number {
  const index = Math.min(Math.max(reconsumeTimes, 1), backoff.length) - 1;
  return backoff[index]!;
}
