import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Read-only access to a git checkout through the git CLI: execFile with an argument array (never a shell),
 * so a label can only ever be a revision argument, and labels are checked to be plain names beforehand.
 */
export interface GitCheckout {
  /** Commit id of `ref` (a branch, tag or sha), or undefined when it names nothing. */
  resolve(ref: string): Promise<string | undefined>;
  /** Names of the files in the repository folder at `commit`. */
  list(commit: string): Promise<string[]>;
  /** Content of a file of the repository folder at `commit`. */
  read(commit: string, file: string): Promise<string>;
}

/** Returns a GitCheckout when `dir` is inside a git work tree, else undefined. */
export async function openGitCheckout(dir: string): Promise<GitCheckout | undefined> {
  try {
    await git(dir, ['rev-parse', '--is-inside-work-tree']);
  } catch {
    return undefined;
  }
  return {
    async resolve(ref) {
      try {
        const sha = await git(dir, [
          'rev-parse',
          '--verify',
          '--quiet',
          '--end-of-options',
          `${ref}^{commit}`,
        ]);
        return sha.trim() || undefined;
      } catch {
        return undefined;
      }
    },
    async list(commit) {
      const out = await git(dir, ['ls-tree', '-z', '--name-only', commit, '--', '.']);
      return out.split('\0').filter((name) => name.length > 0);
    },
    read(commit, file) {
      // `<commit>:./<file>` is relative to the cwd, i.e. to the repository folder inside the work tree.
      return git(dir, ['show', `${commit}:./${file}`]);
    },
  };
}

async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    timeout: 10_000,
    maxBuffer: 16 * 1024 * 1024,
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  return stdout;
}
