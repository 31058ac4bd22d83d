import { isDatabaseError } from '@goblog/postgres';
import { DatabaseUnavailableError, StoreClosedError } from '../../errors.js';

/**
 * A database failure as the accountservice answers it: the database away is DATABASE_UNAVAILABLE (503, its
 * message already free of secrets), a closed handle STORE_CLOSED (503); anything else stays what it is (500).
 */
export function asServiceError(err: unknown): unknown {
  if (isDatabaseError(err, 'UNAVAILABLE')) return new DatabaseUnavailableError(err.message);
  if (isDatabaseError(err, 'CLOSED')) return new StoreClosedError();
  return err;
}

/** `promise` with its rejection mapped by asServiceError. */
export function mapped<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((err: unknown) => {
    throw asServiceError(err);
  });
}
