// `npm test` names its files one by one where their order matters (the cluster files, which take turns on
// the cluster, are spread between the others so that a waiting file does not hold a runner slot for long).
// A file added beside them must not drop out of the suite unnoticed.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '@goblog/testkit';

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.data', '.git']);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : testFiles(join(dir, entry.name));
    return entry.name.endsWith('.test.ts') ? [relative(repoRoot, join(dir, entry.name))] : [];
  });
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
  const unmatched = files.filter((f) => !words.some((w) => matches(f, w)));
  assert.deepEqual(unmatched, [], 'test files npm test does not run');
  const twice = files.filter((f) => words.filter((w) => matches(f, w)).length > 1);
  assert.deepEqual(twice, [], 'test files npm test runs twice');
});
