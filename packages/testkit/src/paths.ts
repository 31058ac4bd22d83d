import { fileURLToPath } from 'node:url';

/**
 * The repository root, with a trailing slash: the working directory of every process the kit starts, and
 * where tests find config-repo/. The same from src/ (tsx) and dist/ (the bench): both sit two folders below
 * packages/testkit.
 */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
