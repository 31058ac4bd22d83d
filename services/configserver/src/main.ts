// The configserver process: its configuration from the environment (it cannot ask itself), then the one
// composition root.
import { exitOnStartupError, startService } from '@goblog/runtime';
import { configserver } from './compose.js';
import { SERVICE_NAME, loadServerConfig } from './config.js';

async function main(): Promise<void> {
  await startService(configserver(), { config: loadServerConfig() });
}

main().catch((err: unknown) => exitOnStartupError(SERVICE_NAME, err));
