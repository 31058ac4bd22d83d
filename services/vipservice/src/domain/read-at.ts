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
  const canonical = parseCanonical(text);
  if (canonical !== null) return canonical;
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

const DIGIT_0 = 48;
const digitAt = (text: string, i: number): number => {
  const d = text.charCodeAt(i) - DIGIT_0;
  return d >= 0 && d <= 9 ? d : NaN;
};
const numberAt = (text: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + digitAt(text, i);
  return n;
};

/**
 * The form every TypeScript publisher sends, `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` (already its own normal form),
 * read without a regular expression or a Date: the result is the one the general path gives (the same
 * checks, `iso` the text itself). null when the text is not in exactly this form (the general path decides);
 * undefined when it is, but names a time that does not exist.
 */
function parseCanonical(text: string): ReadAt | undefined | null {
  const n = text.length;
  if (n < 20 || n > 30 || text.charCodeAt(n - 1) !== 90 /* Z */) return null;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':')
    return null;
  let nanos = 0;
  if (n > 20) {
    if (text[19] !== '.' || n === 21) return null;
    const frac = numberAt(text, 20, n - 1);
    nanos = frac * 10 ** (9 - (n - 21));
  }
  const year = numberAt(text, 0, 4);
  const month = numberAt(text, 5, 7);
  const day = numberAt(text, 8, 10);
  const hour = numberAt(text, 11, 13);
  const minute = numberAt(text, 14, 16);
  const second = numberAt(text, 17, 19);
  // A non-digit anywhere made one of them NaN; years before 100 take the general path (Date.UTC maps them).
  if (Number.isNaN(year + month + day + hour + minute + second + nanos) || year < 100) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return { iso: text, epochSeconds: Date.UTC(year, month - 1, day, hour, minute, second) / 1000, nanos };
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
