import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway config repository folder with the given files; `git: true` commits them on branch main. */
export function tempRepo(files: Record<string, string>, options: { git?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'goblog-config-repo-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
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
    write(name: string, text: string) {
      writeFileSync(join(dir, name), text);
    },
    [Symbol.dispose]() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
