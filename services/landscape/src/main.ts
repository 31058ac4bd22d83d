// The landscape process: its configuration from the environment, then the one composition root.
import { configSourceFromEnv, ConfigError, loadConfig } from '@goblog/config';
import { exitOnStartupError, startService } from '@goblog/runtime';
import { landscape } from './compose.js';
import { DEFAULTS, LandscapeConfigSchema, RESTART_KEYS, SERVICE_NAME } from './config.js';

async function main(): Promise<void> {
  const live = await loadConfig({
    schema: LandscapeConfigSchema,
    defaults: DEFAULTS,
    source: configSourceFromEnv(SERVICE_NAME),
    restartKeys: RESTART_KEYS,
  });
  const { landscape_user: user, landscape_password: password } = live.current;
  if ((user === undefined) !== (password === undefined)) {
    const problem = `${user === undefined ? 'landscape_user' : 'landscape_password'}: is required when the other is set (HTTP basic auth needs both)`;
    throw new ConfigError('INVALID_CONFIG', `invalid configuration: ${problem}`, [problem]);
  }
  await startService(landscape(), { config: live.current, live });
}

main().catch((err: unknown) => exitOnStartupError(SERVICE_NAME, err));
