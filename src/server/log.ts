/** Log levels, most to least verbose; `silent` turns logging off. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A structured logger: one JSON object per line on stderr/stdout. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Standard output, batched: lines are joined and written once per event-loop turn.
 * Writes to a pipe are synchronous on Linux, so one system call per request line would
 * cost the server under load. Kept over pino: with the same output (level names, ISO
 * time) it wrote request lines at half the speed (docs/ARCHITECTURE.md, Performance notes).
 */
function batchedStdout(): (line: string) => void {
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending.join('\n') + '\n';
    pending = [];
    process.stdout.write(text);
  };
  process.on('exit', flush);
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}

let stdoutWriter: ((line: string) => void) | null = null;

/** A JSON-lines logger writing entries at or above `level` (to standard output by default). */
export function createLogger(level: LogLevel = 'info', write?: (line: string) => void): Logger {
  write ??= stdoutWriter ??= batchedStdout();
  const min = LOG_LEVELS.indexOf(level);
  const at = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(lvl) < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Parse LOG_LEVEL; unknown values are an error naming the variable. */
export function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value)})`);
}
