/** How much of a message body a log line shows. */
export const LOGGED_BODY_BYTES = 1024;

/**
 * A message body as a log line shows it: whole when it fits in `limit` bytes, else its first `limit` bytes
 * (never a split character), an ellipsis and its full size. A body is outside input: a schema-valid one can
 * still be as big as the broker allows, and a log line must not be.
 */
export function loggedBody(body: Buffer, limit = LOGGED_BODY_BYTES): string {
  if (body.length <= limit) return body.toString('utf8');
  // `stream` holds back a character cut at the end instead of turning it into U+FFFD.
  const head = new TextDecoder('utf-8').decode(body.subarray(0, limit), { stream: true });
  return `${head}… (${body.length} bytes)`;
}
