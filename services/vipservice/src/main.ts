// The vipservice process: its configuration from the environment, then the one composition root.
import { configSourceFromEnv, loadConfig } from '@goblog/config';
import { exitOnStartupError, startService } from '@goblog/runtime';
import { vipservice } from './compose.js';
import { DEFAULTS, RESTART_KEYS, SERVICE_NAME, VipserviceConfigSchema } from './config.js';

async function main(): Promise<void> {
  const live = await loadConfig({
    schema: VipserviceConfigSchema,
    defaults: DEFAULTS,
    source: configSourceFromEnv(SERVICE_NAME),
    restartKeys: RESTART_KEYS,
  });
  // VIP_QUEUE is for tests only (isolation on a shared broker); the contract's queue is vip_queue.
  await startService(vipservice({ queue: process.env.VIP_QUEUE || undefined }), {
    config: live.current,
    live,
  });
}

main().catch((err: unknown) => exitOnStartupError(SERVICE_NAME, err));
