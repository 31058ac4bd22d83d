import { globMatch, segmentMatches } from './glob.js';

/**
 * Spring Cloud Bus addressing. An instance id is `:`-separated (here `<application>:<port>`); a destination
 * is an AntPathMatcher pattern over those segments: `*` matches within one segment, `**` any number of
 * segments (also none), `?` one character.
 */

/**
 * A destination comes from whoever can publish on the bus. Past this length it addresses no one, so the
 * cost of matching one event stays bounded whatever arrives.
 */
export const MAX_DESTINATION_LENGTH = 256;

/**
 * Spring's ServiceMatcher.isForSelf: true for an empty destination (everyone), a pattern matching the id,
 * or a bare application name (`accountservice` = `accountservice:**`). A destination longer than
 * MAX_DESTINATION_LENGTH matches nothing. Runs in time proportional to pattern length × id length at most.
 */
export function matchesDestination(
  destinationService: string | null | undefined,
  instanceId: string,
): boolean {
  const pattern = destinationService?.trim() ?? '';
  if (pattern === '') return true;
  if (pattern.length > MAX_DESTINATION_LENGTH) return false;
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

/** AntPathMatcher over `:`-separated segments; empty segments are ignored, as Spring's tokenizer does. */
function antMatch(pattern: string, path: string): boolean {
  const patternParts = segments(pattern);
  const pathParts = segments(path);
  return globMatch({
    patternLength: patternParts.length,
    textLength: pathParts.length,
    isStar: (p) => patternParts[p] === '**',
    unitMatches: (p, t) => segmentMatches(patternParts[p] ?? '', pathParts[t] ?? ''),
  });
}

function segments(text: string): string[] {
  return text.split(':').filter((s) => s.length > 0);
}
