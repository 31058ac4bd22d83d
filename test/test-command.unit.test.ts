// `npm test` names its files by folder, and the cluster's files through one file that imports them
// (test/cluster/in-turn.test.ts: they take turns on the cluster, in one runner slot). A file added beside
// them must not drop out of the suite unnoticed, nor run twice.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '@goblog/testkit';

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.data', '.git']);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : testFiles(join(dir, entry.name));
    return entry.name.endsWith('.test.ts') ? [relative(repoRoot, join(dir, entry.name))] : [];
  });
}

/** The test files a listed file imports (`import './x.test.ts'`), as paths from the repository's root. */
function importedTests(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  return [...text.matchAll(/^import '(\.[^']+\.test\.ts)';$/gm)].map((m) =>
    relative(repoRoot, join(repoRoot, dirname(file), m[1] ?? '')),
  );
}

/** Whether a file matches one of the command's words, where `*` stands for one path segment's part. */
function matches(file: string, word: string): boolean {
  const pattern = word.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${pattern}$`).test(file);
}

void test('npm test runs every *.test.ts file of the repository, each once', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (manifest.scripts.test ?? '').split(/\s+/).filter((w) => w.endsWith('.test.ts'));
  const files = testFiles(repoRoot);
  assert.ok(files.length > 100, `found only ${String(files.length)} test files`);
  const listed = files.filter((f) => words.some((w) => matches(f, w)));
  const imported = listed.flatMap(importedTests);
  assert.ok(imported.length > 0, 'the cluster files are imported by test/cluster/in-turn.test.ts');
  const runs = (f: string): number =>
    words.filter((w) => matches(f, w)).length + imported.filter((i) => i === f).length;
  assert.deepEqual(
    files.filter((f) => runs(f) === 0),
    [],
    'test files npm test does not run',
  );
  assert.deepEqual(
    files.filter((f) => runs(f) > 1),
    [],
    'test files npm test runs twice',
  );
});
