// The accountservice process: its configuration from the environment, then the one composition root.
import { configSourceFromEnv, loadConfig } from '@goblog/config';
import { exitOnStartupError, startService } from '@goblog/runtime';
import { accountservice } from './compose.js';
import { AccountserviceConfigSchema, DEFAULTS, RESTART_KEYS, SERVICE_NAME } from './config.js';

async function main(): Promise<void> {
  const live = await loadConfig({
    schema: AccountserviceConfigSchema,
    defaults: DEFAULTS,
    source: configSourceFromEnv(SERVICE_NAME),
    restartKeys: RESTART_KEYS,
  });
  // VIP_QUEUE is for tests only (isolation on a shared broker); the contract's queue is vip_queue.
  await startService(accountservice({ vipQueue: process.env.VIP_QUEUE || undefined }), {
    config: live.current,
    live,
  });
}

main().catch((err: unknown) => exitOnStartupError(SERVICE_NAME, err));
