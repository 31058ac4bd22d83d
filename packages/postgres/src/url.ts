import { maskUrl } from '@goblog/messaging';
import { DatabaseError } from './errors.js';

/** A database_url read once: the masked form for logs and errors, and the secrets to strip from any message. */
export interface DatabaseUrl {
  readonly url: string;
  /** The URL with its password replaced by `***` (the same masking as the broker's URLs). */
  readonly masked: string;
  /** What must never appear in a log line or an error: the URL itself and its password. */
  readonly secrets: readonly string[];
}

/** What errors say instead of a URL that is not a postgres:// URL (its password could be anywhere in it). */
const UNREADABLE = 'database_url';

/**
 * Parses `database_url`; throws DatabaseError INVALID_URL when it is not postgres://user:password@host/...
 * Such an error never echoes the URL: without the `//` of an authority (`goblog:s3cret@db`) nothing tells
 * where its password is, so nothing of it can be masked with certainty.
 */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseError('INVALID_URL', `invalid ${UNREADABLE}: not a URL`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseError('INVALID_URL', `invalid ${UNREADABLE}: expected postgres://`);
  }
  if (!parsed.hostname) throw new DatabaseError('INVALID_URL', `invalid ${UNREADABLE}: no host`);
  const password = parsed.password ? decodeURIComponent(parsed.password) : '';
  return {
    url,
    masked: maskUrl(url),
    secrets: [url, ...(password ? [password, parsed.password] : [])],
  };
}

/** The URL as a log line or an error may show it: masked, or `database_url` when it is not a postgres URL. */
export function describeDatabaseUrl(url: string): string {
  try {
    return parseDatabaseUrl(url).masked;
  } catch {
    return UNREADABLE;
  }
}
