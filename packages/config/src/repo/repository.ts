import { access, readdir, readFile, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '@goblog/messaging';
import { decryptProperties, type TextEncryptor } from '../cipher.js';
import { ConfigError } from '../errors.js';
import type { Environment, PropertySource } from '../environment.js';
import { warnIgnoredKeys } from '../prototype-keys.js';
import { openGitCheckout, type GitCheckout } from './git.js';
import { parseConfigFile } from './parse-file.js';
import { assertSafeName, isSafeSegment, parseLabel, parseProfiles } from './safe-name.js';

/** Spring's default labels: accepted (and recorded) for a repository that is not a git checkout. */
const DEFAULT_LABELS = new Set(['main', 'master']);
const EXTENSIONS = ['.properties', '.yml', '.yaml'] as const;

/** The configuration repository the configserver serves and services read directly without a server. */
export interface ConfigRepository {
  /** Absolute path of the repository folder. */
  readonly dir: string;
  /**
   * Spring Cloud Config's findOne: the property sources for `application` under comma-separated `profiles`
   * (the last wins), most specific first: {app}-{profile}, application-{profile} (for each profile, last
   * first), {app}, application. An unknown application gets the shared sources only.
   * In a git checkout a label selects a branch, tag or commit (read with `git show`); without a label the
   * files on disk are read, so saved edits show at once.
   * Keys naming prototype properties (`__proto__.x`, `constructor...`) are not served; each call that meets
   * some logs one warning line naming them (and their files) on the logger given at creation.
   * Throws ConfigError: UNSAFE_NAME (a name that could leave the folder), LABEL_NOT_FOUND, REPO_UNREADABLE.
   */
  findOne(application: string, profiles: string, label?: string | null): Promise<Environment>;
  /** True while the folder can be listed. */
  readable(): Promise<boolean>;
}

export function createConfigRepository(options: {
  dir: string;
  encryptor?: TextEncryptor;
  logger?: Logger;
}): ConfigRepository {
  const dir = resolve(options.dir);
  let gitCheckout: Promise<GitCheckout | undefined> | undefined;
  const git = (): Promise<GitCheckout | undefined> => (gitCheckout ??= openGitCheckout(dir));

  return {
    dir,
    async readable() {
      try {
        await access(dir, constants.R_OK | constants.X_OK);
        return (await stat(dir)).isDirectory();
      } catch {
        return false;
      }
    },
    async findOne(application, profilesText, rawLabel) {
      assertSafeName('application', application);
      const profiles = parseProfiles(profilesText);
      const label = rawLabel ? parseLabel(rawLabel) : null;
      const reader = await openReader(dir, label, git);
      const sources: PropertySource[] = [];
      const ignored: string[] = [];
      for (const stem of candidateStems(application, profiles)) {
        for (const ext of EXTENSIONS) {
          const file = stem + ext;
          if (!reader.files.has(file)) continue;
          const text = await reader.read(file);
          const ignoredHere: string[] = [];
          const parsed = await parseConfigFile(file, text, profiles, ignoredHere);
          for (const key of ignoredHere) ignored.push(`${key} in ${file}`);
          sources.push({ name: reader.nameOf(file), source: decryptProperties(parsed, options.encryptor) });
        }
      }
      warnIgnoredKeys(options.logger, ignored);
      return {
        name: application,
        profiles,
        label: rawLabel ?? null,
        version: reader.version,
        state: null,
        propertySources: sources,
      };
    },
  };
}

/** File stems, most specific first. */
function candidateStems(application: string, profiles: readonly string[]): string[] {
  const stems: string[] = [];
  for (const profile of [...profiles].reverse())
    stems.push(`${application}-${profile}`, `application-${profile}`);
  stems.push(application, 'application');
  return [...new Set(stems)];
}

interface Reader {
  readonly files: ReadonlySet<string>;
  readonly version: string | null;
  read(file: string): Promise<string>;
  nameOf(file: string): string;
}

async function openReader(
  dir: string,
  label: string | null,
  git: () => Promise<GitCheckout | undefined>,
): Promise<Reader> {
  const checkout = await git();
  if (label !== null && checkout) {
    const commit = await checkout.resolve(label);
    if (!commit) throw labelNotFound();
    const files = new Set(await checkout.list(commit));
    return {
      files,
      version: commit,
      read: (file) => guard(file, () => checkout.read(commit, file)),
      nameOf: (file) => `git:${label}:${file}`,
    };
  }
  let folder = dir;
  if (label !== null && !DEFAULT_LABELS.has(label)) {
    // Not a git checkout: like Spring's native backend, a label may name a sub-folder of the repository.
    folder = join(dir, label);
    if (!(await isDirectory(folder))) throw labelNotFound();
  }
  const files = await listFiles(folder);
  const version = checkout ? ((await checkout.resolve('HEAD')) ?? null) : null;
  return {
    files,
    version,
    read: (file) => guard(file, () => readFile(join(folder, file), 'utf8')),
    nameOf: (file) => `file:${join(folder, file)}`,
  };
}

async function listFiles(folder: string): Promise<Set<string>> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return new Set(entries.filter((e) => e.isFile() && isSafeSegment(e.name)).map((e) => e.name));
  } catch (cause) {
    const problem = `configuration repository folder ${folder} cannot be read`;
    throw new ConfigError('REPO_UNREADABLE', problem, undefined, { cause });
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function guard(file: string, read: () => Promise<string>): Promise<string> {
  try {
    return await read();
  } catch (cause) {
    const problem = `${file}: cannot be read`;
    throw new ConfigError('REPO_UNREADABLE', problem, undefined, { cause });
  }
}

function labelNotFound(): ConfigError {
  const problem = 'label names no branch, tag or folder of the configuration repository';
  return new ConfigError('LABEL_NOT_FOUND', problem);
}
