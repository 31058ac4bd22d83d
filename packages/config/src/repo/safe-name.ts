import { ConfigError } from '../errors.js';

// One path segment that cannot climb out of a folder: no separators, no leading dot or dash (hidden files,
// `..`, option injection into git), no encoded or control characters.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export type NameKind = 'application' | 'profile' | 'label';

/** True when `name` is one plain file-name segment (no `/`, `\`, `..`, `%`, leading `.` or `-`). */
export function isSafeSegment(name: string): boolean {
  return name.length <= 200 && SEGMENT.test(name) && !name.includes('..');
}

/** Throws ConfigError('UNSAFE_NAME') unless `name` is a safe application or profile name. */
export function assertSafeName(kind: Exclude<NameKind, 'label'>, name: string): void {
  if (!isSafeSegment(name)) throw unsafe(kind);
}

/** Splits comma-separated profiles (Spring: the last one wins) and checks each. */
export function parseProfiles(profiles: string): string[] {
  const list = profiles
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (list.length === 0) throw unsafe('profile');
  for (const p of list) assertSafeName('profile', p);
  return list;
}

/**
 * Spring writes a `/` inside a label as `(_)` so it fits in one path segment. Returns the label with slashes,
 * after checking every part of it is a safe segment.
 */
export function parseLabel(label: string): string {
  const decoded = label.replaceAll('(_)', '/');
  const parts = decoded.split('/');
  if (parts.some((part) => !isSafeSegment(part))) throw unsafe('label');
  return decoded;
}

function unsafe(kind: NameKind): ConfigError {
  // The offending name is not echoed: it is attacker-chosen text.
  const problem = `${kind} name must be a plain name (letters, digits, '.', '_', '-'), not a path`;
  return new ConfigError('UNSAFE_NAME', problem);
}
