/**
 * Which bus destinations this server announces. Spring accepts any AntPathMatcher pattern; every service
 * matches each event's destination against its own id, so this server only passes on destinations that
 * plausibly address applications or instances:
 *   - at most MAX_LENGTH characters and at most MAX_SEGMENTS `:`-separated segments, none of them empty;
 *   - each segment is `*`, `**`, or a name of letters, digits, `_`, `.` and `-` holding at most
 *     MAX_WILDCARDS wildcards (`*` or `?`), with no two `*` in a row.
 * So `accountservice`, `accountservice:6767`, `accountservice:**`, `account*:67?7` and `**` pass; a run of
 * stars, `a b` or `a::b` do not.
 */
const MAX_LENGTH = 200;
const MAX_SEGMENTS = 4;
const MAX_WILDCARDS = 2;
const NAME_CHARACTER = /^[A-Za-z0-9_.-]$/;

export type DestinationErrorCode =
  | 'IMPLAUSIBLE_DESTINATION' // not an `app[:instance]` pattern by the rule above
  | 'TOO_MANY_DESTINATIONS'; // one request names more applications than one request may announce

/** A destination this server refuses to announce; the route answers 400. */
export class DestinationError extends Error {
  override readonly name = 'DestinationError';
  constructor(
    readonly code: DestinationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isDestinationError(err: unknown): err is DestinationError {
  return err instanceof DestinationError;
}

/** True when `destination` passes the rule above. */
export function isPlausibleDestination(destination: string): boolean {
  if (destination.length === 0 || destination.length > MAX_LENGTH) return false;
  const segments = destination.split(':');
  return segments.length <= MAX_SEGMENTS && segments.every(isPlausibleSegment);
}

/** Throws DestinationError('IMPLAUSIBLE_DESTINATION') unless `destination` passes the rule above. */
export function assertPlausibleDestination(destination: unknown): asserts destination is string {
  if (typeof destination === 'string' && isPlausibleDestination(destination)) return;
  // The destination itself is not echoed: it is attacker-chosen text of any length.
  throw new DestinationError(
    'IMPLAUSIBLE_DESTINATION',
    `destination must look like accountservice, accountservice:6767 or accountservice:** ` +
      `(at most ${MAX_SEGMENTS} ':'-separated segments, each '*', '**' or a name of letters, digits, ` +
      `'.', '_', '-' with at most ${MAX_WILDCARDS} wildcards '*' or '?'; at most ${MAX_LENGTH} characters)`,
  );
}

function isPlausibleSegment(segment: string): boolean {
  if (segment === '*' || segment === '**') return true;
  if (segment.length === 0 || segment.includes('**')) return false;
  let wildcards = 0;
  for (const character of segment) {
    if (character === '*' || character === '?') wildcards++;
    else if (!NAME_CHARACTER.test(character)) return false;
  }
  return wildcards <= MAX_WILDCARDS;
}
