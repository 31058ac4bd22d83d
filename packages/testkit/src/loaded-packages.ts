import { createRequire } from 'node:module';

/**
 * The npm packages this process has loaded as CommonJS so far (the require cache, shared by every module):
 * what a test reads to show that a path it took left a dependency unloaded. Scoped names keep their scope.
 * Imported on its own (`@goblog/testkit/loaded-packages`): the testkit's index loads amqplib and pg itself.
 */
export function loadedPackages(): Set<string> {
  const names = new Set<string>();
  for (const path of Object.keys(createRequire(import.meta.url).cache)) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path.split('\\').join('/'));
    if (match?.[1] !== undefined) names.add(match[1]);
  }
  return names;
}
