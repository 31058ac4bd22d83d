import { createError, isServiceError } from '@goblog/runtime';
import type { ServiceError } from '@goblog/runtime';

/**
 * The accountservice's error catalogue: every error it answers, with its code and HTTP status, in one place
 * (the runtime's `errorReply` maps them). Request validation failures (malformed id) become 400 there.
 */
export const AccountNotFoundError = createError(
  'ACCOUNT_NOT_FOUND',
  404,
  (id: string) => `no account with id ${id}`,
);
/** The store was closed (shutting down). */
export const StoreClosedError = createError('STORE_CLOSED', 503, () => 'the account store is closed');
/** The LMDB environment under data_dir could not be opened. */
export const StoreOpenFailedError = createError(
  'STORE_OPEN_FAILED',
  503,
  (path: string, cause: unknown) =>
    `cannot open the account store at ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
  (_path, cause) => cause,
);

/** The shared PostgreSQL database (database_url) does not answer for now; `detail` is free of secrets. */
export const DatabaseUnavailableError = createError(
  'DATABASE_UNAVAILABLE',
  503,
  (detail: string) => `the database is unavailable: ${detail}`,
);

const CODES = [
  AccountNotFoundError.code,
  StoreClosedError.code,
  StoreOpenFailedError.code,
  DatabaseUnavailableError.code,
] as const;
export type AccountErrorCode = (typeof CODES)[number];
export type AccountServiceError = ServiceError<AccountErrorCode>;

export function isAccountError(err: unknown, code?: AccountErrorCode): err is AccountServiceError {
  return isServiceError(err, code === undefined ? CODES : [code]);
}
