/**
 * A notification's `readAt`, parsed from either form a publisher sends:
 * - RFC 3339, as the TypeScript accountservice writes it: `2017-02-15T20:06:27.033Z` (any offset, up to ns);
 * - Go's `time.String()`, as the article's Go accountservice writes it:
 *   `2017-02-15 20:06:27.033757223 +0000 UTC` (optionally with Go's monotonic suffix ` m=+0.001`).
 * Normalised to RFC 3339 in UTC, keeping the sender's fractional digits (nanoseconds survive; an input
 * already in UTC `Z` form comes back unchanged).
 */
export interface ReadAt {
  /** RFC 3339, UTC (`Z`), fractional seconds as sent. */
  readonly iso: string;
  /** Whole seconds since the epoch. */
  readonly epochSeconds: number;
  /** Nanoseconds within that second, 0..999 999 999. */
  readonly nanos: number;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const GO_TIME_STRING =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([+-])(\d{2})(\d{2})(?: [A-Za-z0-9+-]{1,10})?(?: m=[+-]\d+\.\d+)?$/;

/** Parses `text`; undefined when it is in neither form or names a date that does not exist. */
export function parseReadAt(text: string): ReadAt | undefined {
  let m = RFC3339.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
    return build(y, mo, d, h, mi, s, frac, zulu ? '+' : sign, zulu ? '00' : oh, zulu ? '00' : om);
  }
  m = GO_TIME_STRING.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m;
    return build(y, mo, d, h, mi, s, frac, sign, oh, om);
  }
  return undefined;
}

/** Orders two parsed timestamps: negative when `a` is earlier. */
export function compareReadAt(a: ReadAt, b: ReadAt): number {
  return a.epochSeconds - b.epochSeconds || a.nanos - b.nanos;
}

function build(...parts: readonly (string | undefined)[]): ReadAt | undefined {
  const [y, mo, d, h, mi, s, frac, sign, oh, om] = parts;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Date rolls 2017-02-30 over into March: a day that does not exist is rejected, not moved.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, second, 0);
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const epochMs = date.getTime() - offsetMs;
  const utc = new Date(epochMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  if (!/^\d{4}-/.test(utc)) return undefined; // an offset pushed it past year 9999 or before year 0
  const fraction = frac ?? '';
  return {
    iso: `${utc.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`,
    epochSeconds: epochMs / 1000,
    nanos: fraction ? Number(fraction.padEnd(9, '0')) : 0,
  };
}
