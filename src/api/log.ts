/**
 * The engine surface's console output, filtered by web-llm's log levels (TRACE < DEBUG < INFO < WARN
 * < ERROR < SILENT; WARN by default, as web-llm's DefaultLogLevel). One level per page, as web-llm's
 * setLogLevel sets its one logger.
 */
import type { LogLevel } from '@mlc-ai/web-llm';

const LEVELS: Readonly<Record<LogLevel, number>> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, SILENT: 5 };

let threshold = LEVELS.WARN;

/** Throws a TypeError naming the level when it is not one of web-llm's. */
export function setLogLevel(level: LogLevel): void {
  const n = (LEVELS as Record<string, number | undefined>)[level];
  if (n === undefined) {
    throw new TypeError(
      `setLogLevel: unknown log level "${String(level)}" (one of ${Object.keys(LEVELS).join(', ')}).`,
    );
  }
  threshold = n;
}

export const log = {
  debug: (...args: unknown[]): void => {
    if (threshold <= LEVELS.DEBUG) console.debug(...args);
  },
  info: (...args: unknown[]): void => {
    if (threshold <= LEVELS.INFO) console.info(...args);
  },
  warn: (...args: unknown[]): void => {
    if (threshold <= LEVELS.WARN) console.warn(...args);
  },
  error: (...args: unknown[]): void => {
    if (threshold <= LEVELS.ERROR) console.error(...args);
  },
};
