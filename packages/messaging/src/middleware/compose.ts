import type { Handler, Middleware } from '../transport.js';

/** Wraps `handler` so that the first middleware listed runs outermost. */
export function withMiddleware<T>(handler: Handler<T>, ...middleware: readonly Middleware<T>[]): Handler<T> {
  let h = handler;
  for (let i = middleware.length - 1; i >= 0; i--) {
    const m = middleware[i];
    if (m !== undefined) h = m(h);
  }
  return h;
}
