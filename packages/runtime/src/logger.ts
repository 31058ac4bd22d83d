import pino from 'pino';
import type { Logger as PinoLogger, LevelWithSilent } from 'pino';

import type { LogLevel } from '@goblog/config';
import { traceFields } from '@goblog/telemetry';
import { cachedIsoTime, TurnBatchedStdout } from './log-destination.js';
import { redactor } from './log-redact.js';

export type { PinoLogger };

/**
 * Paths that may carry a secret anywhere in a log object. They are replaced before serialising, so a secret
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
  /**
   * With tracing on: every line written inside a span carries its `trace_id`, `span_id` and `trace_flags`
   * (the OpenTelemetry log data model's names), so a log store can join it to the trace.
   */
  readonly traced?: boolean;
}

const redactSecrets = redactor(REDACT_PATHS, '***');

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
    // pino's `redact`, by the same paths, for a fraction of its cost per line (see log-redact.ts).
    formatters: { log: redactSecrets, bindings: redactSecrets },
    base: { pid: process.pid },
    timestamp: cachedIsoTime,
    ...(options.traced === true ? { mixin: traceFields } : {}),
  };
  if (pretty) {
    return redactingChildren(
      pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, sync: true } } }),
    );
  }
  return redactingChildren(
    options.destination ? pino(base, options.destination) : pino(base, new TurnBatchedStdout()),
  );
}

/**
 * pino applies the bindings formatter to the root logger's own bindings only: a child's bindings are
 * censored here, on the way in. Children inherit the root's `child`, so grandchildren are too.
 */
function redactingChildren(logger: PinoLogger): PinoLogger {
  // Called below with the logger it is called on (`this`): a child's own child goes through it too.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const plainChild = logger.child;
  logger.child = function child(this: PinoLogger, bindings, childOptions) {
    return plainChild.call(this, redactSecrets(bindings), childOptions);
  } as PinoLogger['child'];
  return logger;
}
