import { serviceErrors } from '@goblog/postgres';
import { DatabaseUnavailableError, StoreClosedError } from '../../errors.js';

/**
 * A database failure as the accountservice answers it: the database away is DATABASE_UNAVAILABLE (503, its
 * message already free of secrets), a closed handle STORE_CLOSED (503); anything else stays what it is (500).
 */
export const { asServiceError, mapped } = serviceErrors({
  unavailable: (message) => new DatabaseUnavailableError(message),
  closed: () => new StoreClosedError(),
});
