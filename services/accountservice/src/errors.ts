/**
 * The accountservice's error catalogue: stable codes, and the one place they map to HTTP statuses.
 * The shared error handler of @goblog/runtime answers `{"error": message}` with `statusCode`;
 * request validation failures (malformed id) become 400 there.
 */
export type AccountErrorCode =
  | 'ACCOUNT_NOT_FOUND' // no account with that id
  | 'STORE_CLOSED' // the store was closed (shutting down)
  | 'STORE_OPEN_FAILED'; // the LMDB environment under data_dir could not be opened

const HTTP_STATUS: Record<AccountErrorCode, number> = {
  ACCOUNT_NOT_FOUND: 404,
  STORE_CLOSED: 503,
  STORE_OPEN_FAILED: 503,
};

export class AccountServiceError extends Error {
  override readonly name: string = 'AccountServiceError';
  /** Read by the shared Fastify error handler. */
  readonly statusCode: number;

  constructor(
    readonly code: AccountErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.statusCode = HTTP_STATUS[code];
  }
}

export class AccountNotFoundError extends AccountServiceError {
  override readonly name: string = 'AccountNotFoundError';
  constructor(id: string) {
    super('ACCOUNT_NOT_FOUND', `no account with id ${id}`);
  }
}

export class StoreClosedError extends AccountServiceError {
  override readonly name: string = 'StoreClosedError';
  constructor() {
    super('STORE_CLOSED', 'the account store is closed');
  }
}
