import { basename } from 'node:path';
import { destinationFor } from '@goblog/config';
import { DestinationError, assertPlausibleDestination } from './destination-rule.js';

const CONFIG_FILE = /\.(ya?ml|properties|json)$/;

/**
 * How many destinations one call may announce. Spring sets no limit, but each destination is one event that
 * every service instance receives, and a request body of dashed names would otherwise make thousands.
 */
export const MAX_CHANGED_DESTINATIONS = 64;

/**
 * Which bus destinations a change to these repository paths concerns, guessed from file names as Spring's
 * PropertyPathEndpoint does: `application*` concerns everyone (`**`); `foo-bar-dev.yml` may belong to
 * application `foo` (profile bar-dev), `foo-bar` (profile dev) or `foo-bar-dev`, so each gets an event
 * (`foo:**`, ...). Paths without a config file extension are taken as application names.
 * Throws DestinationError: IMPLAUSIBLE_DESTINATION when a name is not a plausible application pattern
 * (see destination-rule.ts), TOO_MANY_DESTINATIONS past `limit` distinct destinations. Nothing is announced
 * by a call that throws, so a refused request has no partial effect.
 */
export function destinationsForPaths(paths: readonly string[], limit = MAX_CHANGED_DESTINATIONS): string[] {
  const stems = paths.map(stemOf).filter((stem): stem is string => stem !== undefined);
  for (const stem of stems) if (!concernsEveryone(stem)) assertPlausibleDestination(stem);
  if (stems.some(concernsEveryone)) return ['**'];
  const destinations = new Set<string>();
  for (const stem of stems) {
    for (const application of applicationsOf(stem)) {
      destinations.add(destinationFor(application));
      if (destinations.size > limit) throw tooMany(limit);
    }
  }
  return [...destinations];
}

/** The file or application name a path stands for; undefined for files that are not configuration. */
function stemOf(path: string): string | undefined {
  const name = basename(path.replaceAll('\\', '/'));
  if (name.startsWith('.') || (name.includes('.') && !CONFIG_FILE.test(name))) return undefined;
  const stem = name.replace(CONFIG_FILE, '');
  return stem === '' ? undefined : stem;
}

function concernsEveryone(stem: string): boolean {
  return stem === 'application' || stem.startsWith('application-') || stem === '*' || stem === '**';
}

/** `foo-bar-dev` -> foo, foo-bar, foo-bar-dev: every application the file may configure. */
function applicationsOf(stem: string): string[] {
  const applications: string[] = [];
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) applications.push(stem.slice(0, i));
  applications.push(stem);
  return applications;
}

function tooMany(limit: number): DestinationError {
  return new DestinationError(
    'TOO_MANY_DESTINATIONS',
    `one request may name at most ${limit} applications; POST /actuator/busrefresh refreshes every application`,
  );
}
