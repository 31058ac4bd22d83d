/**
 * Replaces the password of an AMQP URL by `***`, so the URL can be logged or put in an error.
 * Works on a comma-separated list of URLs, and on unparseable input too (falls back to a pattern), because that is exactly when it gets logged.
 */
export function maskUrl(url: string): string {
  // A list of URLs (the nodes of a cluster), comma-separated: each masked.
  if (url.includes(',')) return url.split(',').map(maskOne).join(',');
  return maskOne(url);
}

function maskOne(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** Removes every occurrence of `secret` from `text` (for error messages from libraries that echo URLs). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}
