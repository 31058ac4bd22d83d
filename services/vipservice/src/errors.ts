/**
 * The vipservice's error catalogue: stable codes, and the one place they map to HTTP statuses.
 * The shared error handler of @goblog/runtime answers `{"error": message}` with `statusCode`;
 * request validation failures (malformed account id) become 400 there.
 */
export type VipErrorCode =
  | 'OFFER_NOT_FOUND' // no offer for that account (yet)
  | 'STORE_CLOSED' // the store was closed (shutting down)
  | 'STORE_OPEN_FAILED'; // the LMDB environment under data_dir could not be opened

const HTTP_STATUS: Record<VipErrorCode, number> = {
  OFFER_NOT_FOUND: 404,
  STORE_CLOSED: 503,
  STORE_OPEN_FAILED: 503,
};

export class VipServiceError extends Error {
  override readonly name: string = 'VipServiceError';
  /** Read by the shared Fastify error handler. */
  readonly statusCode: number;

  constructor(
    readonly code: VipErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.statusCode = HTTP_STATUS[code];
  }
}

export class OfferNotFoundError extends VipServiceError {
  override readonly name: string = 'OfferNotFoundError';
  constructor(accountId: string) {
    super('OFFER_NOT_FOUND', `no offer for account ${accountId}`);
  }
}

export class StoreClosedError extends VipServiceError {
  override readonly name: string = 'StoreClosedError';
  constructor() {
    super('STORE_CLOSED', 'the offer store is closed');
  }
}

export function isVipError(err: unknown, code?: VipErrorCode): err is VipServiceError {
  return err instanceof VipServiceError && (code === undefined || err.code === code);
}
