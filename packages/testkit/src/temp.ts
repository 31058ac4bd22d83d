import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface TempDir extends Disposable {
  readonly dir: string;
  /** Removes the folder and everything in it; safe to call twice, and to take off the object. */
  readonly cleanup: () => void;
}

/** A fresh folder under the system's temp dir, named `<prefix>-…`; removed by `cleanup` or on dispose. */
export function tempDir(prefix: string): TempDir {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const cleanup = (): void => {
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, cleanup, [Symbol.dispose]: cleanup };
}

export interface TempRepo extends Disposable {
  readonly dir: string;
  write(name: string, text: string): void;
  /** Runs git in the repository (meaningful when created with `git: true`); returns its stdout. */
  git(...args: string[]): string;
}

/**
 * A throwaway configuration repository: a copy of the repository's config-repo/ (`copy`, default true)
 * with `files` written over it. `git: true` makes it a git repository with everything committed on branch
 * `main`. Removed on dispose.
 */
export function tempConfigRepo(
  options: { files?: Record<string, string>; copy?: boolean; git?: boolean } = {},
): TempRepo {
  const { dir, cleanup } = tempDir('goblog-config-repo');
  if (options.copy ?? true) cpSync(join(repoRoot, 'config-repo'), dir, { recursive: true });
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text);
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], {
      cwd: dir,
      encoding: 'utf8',
    });
  if (options.git) {
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'initial');
  }
  return {
    dir,
    git,
    write(name, text) {
      writeFileSync(join(dir, name), text);
    },
    [Symbol.dispose]: cleanup,
  };
}
