import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The repository root: the nearest folder above this package that holds the npm workspaces' package.json.
 * Found from this file's location, so it is the same from src/ (tsx) and dist/ (node), whatever the cwd.
 */
export function repoRoot(): string {
  if (cached !== undefined) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (;;) {
    if (isWorkspaceRoot(dir)) return (cached = dir);
    const parent = dirname(dir);
    // No workspace root above us (package copied elsewhere): fall back to the layout packages/config/<src|dist>.
    if (parent === dir) return (cached = join(here, '..', '..', '..'));
    dir = parent;
  }
}

function isWorkspaceRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { workspaces?: unknown };
    return Array.isArray(pkg.workspaces);
  } catch {
    return false;
  }
}
