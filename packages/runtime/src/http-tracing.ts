import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Http, remoteParent, scopeTracer } from '@goblog/telemetry';
import type { FastifyRequest } from 'fastify';

const tracer = scopeTracer('@goblog/runtime');

/** Polled by Prometheus and health checkers every few seconds: spans of them would only bury the rest. */
const UNTRACED = /^\/(health|metrics)(\/|\?|$)/;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

/**
 * Wraps the server's request listener in a SERVER span per request (the HTTP semantic conventions),
 * continuing the caller's trace from its `traceparent`, and runs the listener inside it, so that what the
 * request causes (an outbox record, a bus publish, a log line) is in its trace. `listener` returns true
 * when the fast path answered: the span is then named after `fastPathRoute`; Fastify's routes are named by
 * `nameSpanAfterRoute`. /health and /metrics are not traced.
 */
export function tracedListener(
  listener: (request: IncomingMessage, response: ServerResponse) => boolean,
  fastPathRoute: string | undefined,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const t = tracer();
    const url = request.url ?? '/';
    if (t === undefined || UNTRACED.test(url)) {
      listener(request, response);
      return;
    }
    const method = METHODS.has(request.method ?? '') ? (request.method as string) : '_OTHER';
    const query = url.indexOf('?');
    const parent = remoteParent(request.headers.traceparent) ?? ROOT_CONTEXT;
    const span = t.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [Http.requestMethod]: method,
          [Http.urlPath]: (query === -1 ? url : url.slice(0, query)).slice(0, 200),
          [Http.urlScheme]: 'http',
          ...(request.socket.localPort === undefined ? {} : { [Http.serverPort]: request.socket.localPort }),
          ...(request.socket.remoteAddress === undefined
            ? {}
            : { [Http.clientAddress]: request.socket.remoteAddress }),
          ...(typeof request.headers['user-agent'] === 'string'
            ? { [Http.userAgent]: request.headers['user-agent'].slice(0, 200) }
            : {}),
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    // A body arrives in stream events, outside the listener's call: they run in the request's context too.
    // (Binding costs per request; a request without a body, like the account read, needs none.)
    if (
      request.headers['content-length'] !== undefined ||
      request.headers['transfer-encoding'] !== undefined
    ) {
      context.bind(active, request);
    }
    let ended = false;
    const end = (aborted: boolean): void => {
      if (ended) return;
      ended = true;
      const status = response.statusCode;
      span.setAttribute(Http.responseStatusCode, status);
      if (aborted) {
        span.setAttribute(Http.errorType, 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response' });
      } else if (status >= 500) {
        span.setAttribute(Http.errorType, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
    response.once('finish', () => {
      end(false);
    });
    response.once('close', () => {
      end(!response.writableFinished);
    });
    const fast = context.with(active, () => listener(request, response));
    if (fast && fastPathRoute !== undefined) {
      span.updateName(`${method} ${fastPathRoute}`);
      span.setAttribute(Http.route, fastPathRoute);
    }
  };
}

/** For a Fastify onRequest hook: names the request's span after the matched route (`GET /offers/:accountId`). */
export function nameSpanAfterRoute(request: FastifyRequest): void {
  const span = trace.getActiveSpan();
  if (span === undefined) return;
  // A wildcard route names its requests as its metrics do (the configserver's `/{application}/{profiles}`).
  const label = request.routeOptions.config.metricsRoute;
  const route = label === undefined ? request.routeOptions.url : label(request);
  if (route === undefined) return;
  span.updateName(`${request.method} ${route}`);
  span.setAttribute(Http.route, route);
}
