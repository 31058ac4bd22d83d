import { createError, isServiceError } from '@goblog/runtime';
import type { ServiceError } from '@goblog/runtime';

/**
 * The vipservice's error catalogue: every error it answers, with its code and HTTP status, in one place
 * (the runtime's `errorReply` maps them). Request validation failures (malformed account id) become 400 there.
 */
export const OfferNotFoundError = createError(
  'OFFER_NOT_FOUND',
  404,
  (accountId: string) => `no offer for account ${accountId}`,
);
/** The store was closed (shutting down). */
export const StoreClosedError = createError('STORE_CLOSED', 503, () => 'the offer store is closed');
/** The LMDB environment under data_dir could not be opened. */
export const StoreOpenFailedError = createError(
  'STORE_OPEN_FAILED',
  503,
  (path: string, cause: unknown) =>
    `cannot open the offer store at ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
  (_path, cause) => cause,
);

/** The shared PostgreSQL database (database_url) does not answer for now; `detail` is free of secrets. */
export const DatabaseUnavailableError = createError(
  'DATABASE_UNAVAILABLE',
  503,
  (detail: string) => `the database is unavailable: ${detail}`,
);

const CODES = [
  OfferNotFoundError.code,
  StoreClosedError.code,
  StoreOpenFailedError.code,
  DatabaseUnavailableError.code,
] as const;
export type VipErrorCode = (typeof CODES)[number];
export type VipServiceError = ServiceError<VipErrorCode>;

export function isVipError(err: unknown, code?: VipErrorCode): err is VipServiceError {
  return isServiceError(err, code === undefined ? CODES : [code]);
}
