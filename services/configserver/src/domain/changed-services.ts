import { basename } from 'node:path';
import { destinationFor } from '@goblog/config';

const CONFIG_FILE = /\.(ya?ml|properties|json)$/;

/**
 * Which bus destinations a change to these repository paths concerns, guessed from file names as Spring's
 * PropertyPathEndpoint does: `application*` concerns everyone (`**`); `foo-bar-dev.yml` may belong to
 * application `foo` (profile bar-dev), `foo-bar` (profile dev) or `foo-bar-dev`, so each gets an event
 * (`foo:**`, ...). Paths without a config file extension are taken as application names.
 */
export function destinationsForPaths(paths: readonly string[]): string[] {
  const destinations = new Set<string>();
  for (const path of paths) {
    const name = basename(path.replaceAll('\\', '/'));
    if (name.startsWith('.') || (name.includes('.') && !CONFIG_FILE.test(name))) continue;
    const stem = name.replace(CONFIG_FILE, '');
    if (stem === '') continue;
    if (stem === 'application' || stem.startsWith('application-') || stem === '*' || stem === '**')
      return ['**'];
    for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1))
      destinations.add(destinationFor(stem.slice(0, i)));
    destinations.add(destinationFor(stem));
  }
  return [...destinations];
}
