import {
  context,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

/** The context a remote `traceparent` names as parent, or undefined for a missing or invalid one. */
export function remoteParent(traceparent: unknown): Context | undefined {
  const parsed = parseTraceparent(traceparent);
  if (parsed === undefined) return undefined;
  const remote: SpanContext = {
    traceId: parsed.traceId,
    spanId: parsed.spanId,
    traceFlags: parsed.flags & 1,
    isRemote: true,
  };
  return trace.setSpanContext(ROOT_CONTEXT, remote);
}

/** The `traceparent` that continues the trace in `span`. */
export function traceparentOfSpan(span: Span): string {
  return formatTraceparent(span.spanContext());
}

/** The active span of this async context, if it is a real (valid) one. */
export function activeSpan(): Span | undefined {
  const span = trace.getSpan(context.active());
  return span !== undefined && span.spanContext().traceId !== '00000000000000000000000000000000'
    ? span
    : undefined;
}

/** Marks `span` failed with `err` (its message, and `error.type` from a stable error code when it has one). */
export function failSpan(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  const code = (error as { code?: unknown }).code;
  span.setAttribute('error.type', typeof code === 'string' ? code : error.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message.slice(0, 200) });
}

/**
 * Runs `fn` in an internal span named `name`, child of the active span, when `tracer` is given (tracing
 * on); otherwise just runs it. The span ends when `fn`'s promise settles, failed if it rejects.
 */
export function inSpan<T>(tracer: Tracer | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  if (tracer === undefined) return fn();
  return tracer.startActiveSpan(name, (span) =>
    fn().then(
      (value) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        failSpan(span, err);
        span.end();
        throw err;
      },
    ),
  );
}

/** The pino mixin that joins a log line to its trace: the active span's ids, or nothing outside one. */
export function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (traceId === '00000000000000000000000000000000') return {};
  return {
    trace_id: traceId,
    span_id: spanId,
    trace_flags: (traceFlags & 0xff).toString(16).padStart(2, '0'),
  };
}
