/**
 * A test hook for the kill tests of the inbound QoS 2 journal
 * (test/adapters/mqtt/qos2-crash.test.ts): with RG_TEST_MQTT_QOS2_STALL set to `journaled`
 * or `stored`, a persistent session's QoS 2 PUBLISH stops at that point, says so on
 * stdout and never goes on, so the test can SIGKILL the server there. (Not a ROCKETGATE_
 * variable: the config refuses unknown ones.)
 * Unset (always, outside that test), nothing changes.
 */
export type Qos2CrashPoint = 'journaled' | 'stored';

const configured = process.env.RG_TEST_MQTT_QOS2_STALL;
const point: Qos2CrashPoint | undefined = configured === 'journaled' || configured === 'stored' ? configured : undefined;

/** passes `value` through, or never settles when the hook stops at `at` */
export function qos2CrashPoint<T>(at: Qos2CrashPoint, value: T): Promise<T> {
  if (point !== at) return Promise.resolve(value);
  process.stdout.write(`mqtt test hook: QoS 2 PUBLISH stalled after ${at}\n`);
  return new Promise<T>(() => undefined);
}
