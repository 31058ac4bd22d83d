import { isDatabaseError } from './errors.js';

/** The errors a service answers for a database failure (its own catalogue's, with their HTTP status). */
export interface ServiceErrorsOf {
  /** The database is away (503); `message` is already free of secrets. */
  readonly unavailable: (message: string) => Error;
  /** The handle was closed: the service is shutting down (503). */
  readonly closed: () => Error;
}

export interface ServiceErrorMapping {
  /** A failure as the service answers it: UNAVAILABLE and CLOSED mapped, anything else unchanged (500). */
  readonly asServiceError: (err: unknown) => unknown;
  /** `promise` with its rejection mapped by asServiceError. */
  readonly mapped: <T>(promise: Promise<T>) => Promise<T>;
}

/** How one service answers database failures, written once for every service that uses a database. */
export function serviceErrors(errors: ServiceErrorsOf): ServiceErrorMapping {
  const asServiceError = (err: unknown): unknown => {
    if (isDatabaseError(err, 'UNAVAILABLE')) return errors.unavailable(err.message);
    if (isDatabaseError(err, 'CLOSED')) return errors.closed();
    return err;
  };
  return {
    asServiceError,
    mapped: <T>(promise: Promise<T>): Promise<T> =>
      promise.catch((err: unknown) => {
        throw asServiceError(err);
      }),
  };
}
