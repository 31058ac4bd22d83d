// Docker's path patterns (.dockerignore, COPY sources) for checks made without a Docker engine:
// `*` and `?` stay within one path segment, `**` spans any number of them, `!` re-includes.
import { readdirSync } from 'node:fs';

export function globToRegExp(pattern: string): RegExp {
  let source = '';
  const p = pattern.replace(/^\/+|\/+$/g, '');
  for (let i = 0; i < p.length; i++) {
    const c = p.charAt(i);
    if (c === '*' && p[i + 1] === '*') {
      // `**/` matches zero or more whole directories; a trailing `**` matches everything below.
      const slash = p[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Reads .dockerignore rules; `isExcluded(path)` answers as Docker does for a path relative to the context. */
export function dockerignore(text: string): { isExcluded(path: string): boolean } {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => ({ include: l.startsWith('!'), re: globToRegExp(l.replace(/^!/, '')) }));
  return {
    isExcluded(path: string): boolean {
      const parts = path.replace(/^\.?\/+|\/+$/g, '').split('/');
      // A rule matching a parent directory excludes everything inside it; the last matching rule wins.
      let excluded = false;
      for (const rule of rules) {
        for (let n = 1; n <= parts.length; n++) {
          if (rule.re.test(parts.slice(0, n).join('/'))) {
            excluded = !rule.include;
            break;
          }
        }
      }
      return excluded;
    },
  };
}

/** Paths under `root` (relative, `/`-separated) that match a COPY source; a plain path matches itself. */
export function expandSource(root: string, source: string): string[] {
  const clean = source.replace(/^\.?\/+|\/+$/g, '') || '.';
  if (!/[*?[]/.test(clean)) return [clean];
  const re = globToRegExp(clean);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split('\\').join('/'))
    .filter((p) => !p.startsWith('node_modules/') && !p.startsWith('.git/') && re.test(p));
}
