const PREFIX = 'Got a message: ';

/**
 * The notification a vipservice's `Got a message: <body>` JSON log line shows (the article's line: the body
 * is in the message text, escaped there), or undefined for any other line or a body that is not JSON.
 */
export function gotMessageBody(line: string): Readonly<Record<string, unknown>> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(line.indexOf('{')));
  } catch {
    return undefined;
  }
  const msg = (parsed as { msg?: unknown } | null)?.msg;
  if (typeof msg !== 'string' || !msg.startsWith(PREFIX)) return undefined;
  try {
    const body: unknown = JSON.parse(msg.slice(PREFIX.length));
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The account id of a `Got a message:` line, or a marker naming the line when it has none. */
export function gotMessageAccountId(line: string): string {
  const id = gotMessageBody(line)?.accountId;
  return typeof id === 'string' ? id : `? ${line.slice(0, 120)}`;
}
