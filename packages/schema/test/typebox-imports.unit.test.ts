// Every typebox value a package or service uses comes from `@goblog/schema`, the one bundled module: a
// single `from 'typebox/compile'` would load typebox's files again beside it, in every service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/** The sources held to it: every package's and service's own (this package, the one that wraps typebox, aside). */
const SOURCES = [
  ...['config', 'contracts', 'messaging', 'postgres', 'runtime', 'telemetry', 'testkit'].flatMap((name) =>
    tsFiles(join(PACKAGES, name, 'src')),
  ),
  ...['accountservice', 'configserver', 'landscape', 'vipservice'].flatMap((name) =>
    tsFiles(join(PACKAGES, '..', 'services', name, 'src')),
  ),
];

/** An import or re-export of a value (not `import type`) from typebox or one of its subpaths, or a dynamic one. */
const VALUE_IMPORT =
  /^(?:import|export)\s+(?!type\b)[^;]*?from\s+'typebox(?:\/[a-z]+)?'|\bimport\(\s*'typebox/m;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

void test('the packages and services take typebox values only from @goblog/schema', () => {
  assert.ok(SOURCES.length > 100);
  const offenders = SOURCES.filter((file) => VALUE_IMPORT.test(readFileSync(file, 'utf8'))).map((file) =>
    relative(PACKAGES, file),
  );
  assert.deepEqual(offenders, []);
});
