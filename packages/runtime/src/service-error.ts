/**
 * An error a service answers over HTTP: a stable code callers branch on, the status `errorReply` maps it to,
 * and a message for the client (a 5xx other than 503 is answered as a bare `internal error`).
 */
export class ServiceError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    readonly statusCode: number,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One entry of a catalogue: the class of the errors with that code, constructed from the message's arguments. */
export interface ServiceErrorClass<C extends string, A extends readonly unknown[]> {
  new (...args: A): ServiceError<C>;
  readonly code: C;
  readonly statusCode: number;
}

/**
 * Makes one catalogue entry (Fastify's `createError`): every error with `code` answers `statusCode` with the
 * message `message(...args)`. When `cause` is given, it picks the underlying error out of the arguments. The
 * class is named after the code (`STORE_CLOSED` -> `StoreClosedError`).
 */
export function createError<C extends string, A extends readonly unknown[] = []>(
  code: C,
  statusCode: number,
  message: (...args: A) => string,
  cause?: (...args: A) => unknown,
): ServiceErrorClass<C, A> {
  const name = `${code
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}Error`;
  const Entry = class extends ServiceError<C> {
    static readonly code = code;
    static readonly statusCode = statusCode;
    constructor(...args: A) {
      super(code, statusCode, message(...args), cause === undefined ? undefined : { cause: cause(...args) });
      this.name = name;
    }
  };
  Object.defineProperty(Entry, 'name', { value: name });
  return Entry;
}

/** Whether `err` is a ServiceError with one of `codes` (any code when none is given). */
export function isServiceError<C extends string>(err: unknown, codes?: readonly C[]): err is ServiceError<C> {
  if (!(err instanceof ServiceError)) return false;
  const { code } = err as ServiceError;
  return codes === undefined || (codes as readonly string[]).includes(code);
}
