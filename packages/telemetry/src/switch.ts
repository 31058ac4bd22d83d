import { diag, DiagLogLevel, trace, type DiagLogger, type Tracer } from '@opentelemetry/api';

/**
 * Whether this process traces: set once, by startTelemetry, when the SDK is registered. Every
 * instrumentation point asks here first and does nothing at all while it is off (no span, no context
 * switch), so a process without tracing runs exactly the code it ran before tracing existed.
 */
let on = false;

/** Called by the SDK module once its provider is registered (and by shutdown, to turn it off again). */
export function setTracing(value: boolean): void {
  on = value;
}

export function tracingOn(): boolean {
  return on;
}

/**
 * A tracer of one instrumentation scope (`@goblog/messaging`, `@goblog/runtime`, a service), or undefined
 * while tracing is off. Resolved per call and cached: cheap enough for a hot path.
 */
export function scopeTracer(scope: string): () => Tracer | undefined {
  let tracer: Tracer | undefined;
  return () => {
    if (!on) return undefined;
    tracer ??= trace.getTracer(scope);
    return tracer;
  };
}

/** How often one diagnostic message may be logged: a collector that is down fails every export. */
const DIAGNOSTIC_EVERY_MS = 30_000;

/**
 * Where the SDK's own warnings (an export that failed, a dropped span) go: the service's logger, each
 * distinct message at most once per DIAGNOSTIC_EVERY_MS (with how many were held back meanwhile).
 */
export function reportDiagnosticsTo(logger: {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}): void {
  const last = new Map<string, { at: number; held: number }>();
  const line =
    (level: 'warn' | 'error') =>
    (message: string, ...args: unknown[]): void => {
      const key = message.slice(0, 200);
      const now = Date.now();
      const seen = last.get(key);
      if (seen !== undefined && now - seen.at < DIAGNOSTIC_EVERY_MS) {
        seen.held++;
        return;
      }
      if (last.size > 100) last.clear();
      last.set(key, { at: now, held: 0 });
      const detail = args.map(String).join(' ').slice(0, 500) || undefined;
      logger[level]({ detail, heldBack: seen?.held || undefined }, `opentelemetry: ${key}`);
    };
  const noop = (): void => undefined;
  const diagLogger: DiagLogger = {
    error: line('error'),
    warn: line('warn'),
    info: noop,
    debug: noop,
    verbose: noop,
  };
  diag.setLogger(diagLogger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}
