import pino from 'pino';
import type { Logger as PinoLogger, LevelWithSilent } from 'pino';

import type { LogLevel } from '@goblog/config';

export type { PinoLogger };

/**
 * Paths that may carry a secret anywhere in a log object. pino replaces them before serialising, so a secret
 * cannot reach a log line even when a caller logs a whole configuration object by mistake.
 */
const REDACT_PATHS = [
  'password',
  '*.password',
  'amqp_server_url',
  '*.amqp_server_url',
  'url',
  '*.url',
  'encrypt_key',
  '*.encrypt_key',
  'headers.authorization',
  'req.headers.authorization',
];

export interface LoggerOptions {
  readonly service: string;
  readonly level?: LogLevel | LevelWithSilent;
  /**
   * Pretty, coloured lines for a human; JSON lines otherwise. Default: LOG_FORMAT=pretty|json when set
   * (the landscape runner sets it), else pretty when stdout is a terminal.
   */
  readonly pretty?: boolean;
  /** Where JSON lines go; default stdout. Tests pass a stream to capture lines. */
  readonly destination?: NodeJS.WritableStream;
}

/**
 * Bytes the asynchronous stdout destination holds before it writes. Every line is longer, so each is still
 * written at once. With sonic-boom's default (no minimum) `logger.flush(cb)` calls back at once, while
 * writes are still in flight, and an exit in that callback loses them; with a minimum it waits for them.
 */
const ASYNC_MIN_LENGTH = 1;

/** Structured JSON logs (pretty in a terminal), secrets redacted by path. */
export function createLogger(options: LoggerOptions): PinoLogger {
  const format = process.env.LOG_FORMAT;
  const pretty =
    options.pretty ??
    (options.destination === undefined &&
      (format === 'pretty' || (format !== 'json' && process.stdout.isTTY)));
  const base = {
    name: options.service,
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '***' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, sync: true } } });
  }
  return options.destination
    ? pino(base, options.destination)
    : pino(base, pino.destination({ sync: false, minLength: ASYNC_MIN_LENGTH }));
}
