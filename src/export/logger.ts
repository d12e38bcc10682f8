/** The logging the domain code needs; function adapters map it onto InvocationContext, tests onto an array. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function consoleLogger(prefix = ''): Logger {
  return {
    info: (m) => console.log(`${prefix}${m}`),
    warn: (m) => console.warn(`${prefix}${m}`),
    error: (m) => console.error(`${prefix}${m}`),
  };
}
