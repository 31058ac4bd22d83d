import { redact } from '@goblog/messaging';

/**
 * Stable error codes of @goblog/postgres. Callers branch on `err.code`, never on message text. Messages never
 * contain the database password: the connection string's secrets are redacted before they reach an error.
 */
export type DatabaseErrorCode =
  | 'INVALID_URL' // database_url is not a postgres:// URL
  | 'UNAVAILABLE' // the server cannot be reached or dropped the connection: try again later (HTTP 503)
  | 'QUERY_FAILED' // the server answered with an error that retrying will not cure (a bug, a constraint)
  | 'MIGRATION_FAILED' // the schema could not be brought up to date at startup
  | 'CLOSED'; // the database handle was closed (shutting down)

export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  constructor(
    readonly code: DatabaseErrorCode,
    message: string,
    /** The server's SQLSTATE or the socket's errno, when there is one. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

export function isDatabaseError(err: unknown, code?: DatabaseErrorCode): err is DatabaseError {
  return err instanceof DatabaseError && (code === undefined || err.code === code);
}

/**
 * SQLSTATEs that mean "the server is not there for now": class 08 (connection exception), admin or crash
 * shutdown, cannot connect now (starting up, in recovery), too many connections, and a statement cancelled by
 * statement_timeout (a server too slow to answer is as good as away for a request waiting on it).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P01|57P02|57P03|53300|57014)$/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
/**
 * node-postgres reports a lost or never-made connection with plain Errors and no code: these are its messages
 * (the one place that reads message text, because the library gives nothing else to branch on).
 */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|timeout expired|Query read timeout|not queryable|Client was closed|connection error/i;

/** Whether a node-postgres failure means the database is unavailable (rather than the query being wrong). */
export function isUnavailable(err: unknown): boolean {
  if (isDatabaseError(err)) return err.code === 'UNAVAILABLE';
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code)))
    return true;
  if (err instanceof AggregateError) return err.errors.some(isUnavailable);
  return UNAVAILABLE_MESSAGE.test(err.message);
}

/**
 * Any failure of a database call as a DatabaseError: UNAVAILABLE or QUERY_FAILED, the message stripped of
 * `secrets` (the connection string and its password). A DatabaseError passes through unchanged.
 */
export function toDatabaseError(err: unknown, secrets: readonly string[]): DatabaseError {
  if (isDatabaseError(err)) return err;
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  const text = err instanceof Error ? err.message || err.constructor.name : String(err);
  const message = redact(text, secrets);
  return new DatabaseError(
    isUnavailable(err) ? 'UNAVAILABLE' : 'QUERY_FAILED',
    message,
    typeof code === 'string' ? code : undefined,
  );
}
