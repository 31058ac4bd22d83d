import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '@goblog/messaging';

const CONFIG_FILE = /^[^.~#][^/\\]*\.(ya?ml|properties|json)$/;

/**
 * Watches the repository folder and reports saved config files in batches: editors save in bursts
 * (write temp file, rename, chmod), so changes are collected until the folder has been quiet for
 * `debounceMs`. Hidden, backup and swap files are ignored.
 */
export function watchRepository(options: {
  dir: string;
  debounceMs?: number;
  logger: Logger;
  onChange: (files: readonly string[]) => Promise<void>;
}): { close(): void } {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;

  const flush = (): void => {
    timer = undefined;
    const files = [...pending].sort();
    pending.clear();
    options.onChange(files).catch((err: unknown) => {
      options.logger.error({ err, files }, 'announcing a repository change failed');
    });
  };

  try {
    watcher = watch(options.dir, { persistent: false }, (_event, filename) => {
      const name = filename?.toString();
      if (!name || !CONFIG_FILE.test(name)) return;
      pending.add(name);
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, options.debounceMs ?? 250);
    });
    watcher.on('error', (err) => {
      options.logger.error({ err, dir: options.dir }, 'watching the configuration repository failed');
    });
  } catch (err) {
    options.logger.error(
      { err, dir: options.dir },
      'cannot watch the configuration repository; use POST /monitor',
    );
  }

  return {
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      watcher?.close();
    },
  };
}
