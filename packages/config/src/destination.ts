/**
 * Spring Cloud Bus addressing. An instance id is `:`-separated (here `<application>:<port>`); a destination
 * is an AntPathMatcher pattern over those segments: `*` matches within one segment, `**` any number of
 * segments (also none), `?` one character.
 */

/**
 * Spring's ServiceMatcher.isForSelf: true for an empty destination (everyone), a pattern matching the id,
 * or a bare application name (`accountservice` = `accountservice:**`).
 */
export function matchesDestination(
  destinationService: string | null | undefined,
  instanceId: string,
): boolean {
  const pattern = destinationService?.trim() ?? '';
  if (pattern === '') return true;
  if (antMatch(pattern, instanceId)) return true;
  return !pattern.includes(':') && antMatch(`${pattern}:**`, instanceId);
}

/**
 * Spring's PathDestinationFactory: no destination -> `**`; an application name or `name:instance` gets `:**`
 * appended so it addresses every instance below it; anything with two or more `:` or ending in `:**` stays.
 */
export function destinationFor(path: string | null | undefined): string {
  const destination = path?.trim() ?? '';
  if (destination === '' || destination === '**') return '**';
  const colons = destination.split(':').length - 1;
  if (colons <= 1 && !destination.endsWith(':**')) return `${destination}:**`;
  return destination;
}

function antMatch(pattern: string, path: string): boolean {
  const patternParts = pattern.split(':').filter((s) => s.length > 0);
  const pathParts = path.split(':').filter((s) => s.length > 0);
  return matchParts(patternParts, 0, pathParts, 0);
}

function matchParts(pattern: readonly string[], pi: number, path: readonly string[], si: number): boolean {
  if (pi === pattern.length) return si === path.length;
  const part = pattern[pi] ?? '';
  if (part === '**') {
    for (let skip = si; skip <= path.length; skip++) if (matchParts(pattern, pi + 1, path, skip)) return true;
    return false;
  }
  if (si === path.length) return false;
  return segmentRegex(part).test(path[si] ?? '') && matchParts(pattern, pi + 1, path, si + 1);
}

function segmentRegex(part: string): RegExp {
  const source = part
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
