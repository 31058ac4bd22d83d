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

const FOUR_CENTURIES_MS = 146_097 * 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

// Runs for every notification (and for the offer's stored lastReadAt), so it avoids Date objects where it can.
function build(...parts: readonly (string | undefined)[]): ReadAt | undefined {
  const [y = '', mo = '', d = '', h = '', mi = '', s = '', frac = '', sign, oh = '', om = ''] = parts;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || Number(oh) > 23 || Number(om) > 59) return undefined;
  // Date.UTC maps years 0..99 to 1900..1999: compute such (theoretical) years 400 years (one full calendar
  // cycle, FOUR_CENTURIES_MS) later and move back.
  const early = year < 100;
  const epochMs =
    Date.UTC(early ? year + 400 : year, month - 1, day, hour, minute, second) -
    (early ? FOUR_CENTURIES_MS : 0) -
    offsetMinutes * 60_000;
  let date: string;
  if (offsetMinutes === 0) {
    date = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  } else {
    const utc = new Date(epochMs);
    const utcYear = utc.getUTCFullYear();
    if (utcYear < 0 || utcYear > 9999) return undefined; // an offset pushed it out of 4-digit years
    date =
      `${pad(utcYear, 4)}-${pad(utc.getUTCMonth() + 1, 2)}-${pad(utc.getUTCDate(), 2)}` +
      `T${pad(utc.getUTCHours(), 2)}:${pad(utc.getUTCMinutes(), 2)}:${pad(utc.getUTCSeconds(), 2)}`;
  }
  return {
    iso: `${date}${frac ? `.${frac}` : ''}Z`,
    epochSeconds: epochMs / 1000,
    nanos: frac ? Number(frac.padEnd(9, '0')) : 0,
  };
}
