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

/** Parses `database_url`; throws DatabaseError INVALID_URL (the URL masked) when it is not postgres://. */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  const masked = maskUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseError('INVALID_URL', `invalid database URL ${masked}`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseError('INVALID_URL', `invalid database URL ${masked}: expected postgres://`);
  }
  if (!parsed.hostname) throw new DatabaseError('INVALID_URL', `invalid database URL ${masked}: no host`);
  const password = parsed.password ? decodeURIComponent(parsed.password) : '';
  return {
    url,
    masked,
    secrets: [url, ...(password ? [password, parsed.password] : [])],
  };
}
