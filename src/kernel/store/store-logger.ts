/**
 * What the store logs through: the subset of pino's Logger it uses, so the runtime can
 * hand it a pino child logger. The default writes warnings and errors to stderr.
 */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const consoleStoreLogger: StoreLogger = {
  info: () => undefined,
  warn: (obj, msg) => console.warn(`[store] ${msg}`, obj),
  error: (obj, msg) => console.error(`[store] ${msg}`, obj),
};
