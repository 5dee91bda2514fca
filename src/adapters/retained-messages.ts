/**
 * Retained messages as an administrator sees them (MQTT §3.3.1.3): the admin API
 * (GET/DELETE /v1/admin/mqtt/retained) lists and clears them through this shape, so the
 * HTTP adapter never reaches into the MQTT adapter.
 */

export interface RetainedMessageInfo {
  /** the MQTT topic the message is retained on */
  topic: string;
  payload: Buffer;
  contentType?: string;
  /** user properties (MQTT 5) and the other message properties */
  properties: Record<string, string>;
  /** epoch ms after which it is no longer sent; absent = never */
  expireAt?: number;
}

export interface RetainedMessageAdmin {
  /** why `filter` is not a valid MQTT topic filter, if it is not */
  filterProblem(filter: string): string | undefined;
  /** the live retained messages whose topic matches the MQTT filter (`#` = all), by topic */
  list(filter: string): RetainedMessageInfo[];
  /** removes those matching the filter, as an empty retained PUBLISH would; resolves to how many */
  clear(filter: string): Promise<number>;
}
